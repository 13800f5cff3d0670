using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// HuberLoss: quadratic below <c>delta</c>, then linear with slope delta. The gradients are written as torch's
/// huber_loss_backward compares (x - y against -delta, then delta), not derived, so a NaN difference gives a NaN
/// gradient as torch's does.
/// </summary>
public static partial class Huber
{
    [ElementwiseLoss(CheckOptions = nameof(CheckOptions), Derivative = nameof(Gradient), TargetDerivative = nameof(TargetGradient))]
    private static float PerElement(float x, float y, float delta = 1f) =>
        MathF.Abs(x - y) < delta ? 0.5f * (x - y) * (x - y) : delta * (MathF.Abs(x - y) - (0.5f * delta));

    private static float Gradient(float x, float y, float delta) =>
        (x - y) <= -delta ? -delta : (x - y) >= delta ? delta : (x - y);

    // torch differentiates the target with the same kernel, input and target swapped.
    private static float TargetGradient(float x, float y, float delta) =>
        (y - x) <= -delta ? -delta : (y - x) >= delta ? delta : (y - x);

    private static void CheckOptions(float delta) => LossOptions.RequireDelta(delta);
}
