namespace FastLoss.Generation;

/// <summary>
/// Marks a formula parameter that varies per element (for example BCEWithLogits' pos_weight once broadcast):
/// the generated API takes it as an optional span of the input's length, and an empty span means the
/// parameter's default value everywhere, with a loop specialised for that case.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false, AllowMultiple = false)]
public sealed class PerElementAttribute : Attribute
{
}
