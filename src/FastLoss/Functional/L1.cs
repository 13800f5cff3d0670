using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>L1Loss: the absolute error |x - y|; its gradient is sign(x - y), 0 where they are equal.</summary>
public static partial class L1
{
    [ElementwiseLoss]
    private static float PerElement(float x, float y) => MathF.Abs(x - y);
}
