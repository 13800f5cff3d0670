using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// BCELoss on probabilities. The logarithms are clamped at -100 so x = 0 or 1 gives a finite loss, and the
/// gradient is torch's, whose denominator has a floor of 1e-12 (not the derivative of the clamped forward); the
/// target's gradient is torch's too, -logit(x).
/// </summary>
public static partial class BinaryCrossEntropy
{
    [ElementwiseLoss(Weighted = true, InputInUnitInterval = true, Derivative = nameof(Gradient), TargetDerivative = nameof(TargetGradient))]
    private static float PerElement(float x, float y) =>
        ((y - 1f) * MathF.Max(ElementMath.Log1P(-x), -100f)) - (y * MathF.Max(MathF.Log(x), -100f));

    private static float Gradient(float x, float y) => (x - y) / MathF.Max((1f - x) * x, 1e-12f);

    // torch's binary_cross_entropy_target_backward: -logit(x), without the forward's clamp (infinite at 0 and 1).
    private static float TargetGradient(float x, float y) => ElementMath.Log1P(-x) - MathF.Log(x);
}
