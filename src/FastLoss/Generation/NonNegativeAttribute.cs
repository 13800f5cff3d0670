namespace FastLoss.Generation;

/// <summary>
/// Marks an input of a loss declaration that may not hold negative values (GaussianNLLLoss' var): every generated
/// entry point rejects a negative element before it writes anything, with torch's message
/// "<c>name</c> has negative entry/entries". NaN is let through, as torch lets it.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false, AllowMultiple = false)]
public sealed class NonNegativeAttribute : Attribute
{
}
