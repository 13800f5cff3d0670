using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// ReLU: max(x, 0); NaN propagates. Its gradient is torch's threshold backward, x &lt;= 0 ? 0 : 1: 0 at ±0, and the
/// upstream gradient passes at NaN (NaN &lt;= 0 is false), where the derivative of max would be 0.
/// </summary>
public static partial class ReluActivation
{
    [ElementwiseActivation(Derivative = nameof(Gradient))]
    private static float PerElement(float x) => MathF.Max(x, 0f);

    private static float Gradient(float x) => x <= 0f ? 0f : 1f;
}
