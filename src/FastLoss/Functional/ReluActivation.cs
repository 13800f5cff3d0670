using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>ReLU: max(x, 0). Its gradient is 0 at 0, as torch's threshold backward; NaN propagates.</summary>
public static partial class ReluActivation
{
    [ElementwiseActivation]
    private static float PerElement(float x) => MathF.Max(x, 0f);
}
