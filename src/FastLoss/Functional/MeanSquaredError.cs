using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>MSELoss: the squared error (x - y)^2.</summary>
public static partial class MeanSquaredError
{
    [ElementwiseLoss]
    private static float PerElement(float x, float y) => (x - y) * (x - y);
}
