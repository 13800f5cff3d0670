using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>The logistic sigmoid 1 / (1 + exp(-x)); its gradient s (1 - s).</summary>
public static partial class SigmoidActivation
{
    [ElementwiseActivation]
    private static float PerElement(float x) => ElementMath.Sigmoid(x);
}
