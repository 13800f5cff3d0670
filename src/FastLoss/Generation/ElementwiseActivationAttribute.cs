namespace FastLoss.Generation;

/// <summary>
/// Declares an elementwise activation by its scalar formula of one parameter, on an expression-bodied
/// <c>static float</c> method of a <c>static partial class</c>. The generator emits a vectorized Forward and a
/// Backward that adds <c>outputGrad * f'(input)</c> into the input's gradient, deriving f' symbolically.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ElementwiseActivationAttribute : Attribute
{
    /// <summary>
    /// The name of a <c>static float</c> method with the formula's parameter giving f' instead of the derived one,
    /// where torch's backward is not the formula's derivative at special values (ReLU's at NaN).
    /// </summary>
    public string? Derivative { get; set; }
}
