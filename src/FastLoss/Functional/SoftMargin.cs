using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// SoftMarginLoss: the logistic loss log(1 + exp(-y x)) of a ±1 target, written as torch computes it (so it
/// overflows to infinity where torch's does, beyond y x of about -88). torch refuses a target that requires grad.
/// </summary>
public static partial class SoftMargin
{
    [ElementwiseLoss(Target = LossTarget.NotDifferentiable)]
    private static float PerElement(float x, float y) => ElementMath.Log1P(MathF.Exp(-y * x));
}
