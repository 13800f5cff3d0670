using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// SmoothL1Loss: quadratic below <c>beta</c>, linear above. With beta = 0 the quadratic branch never applies,
/// so the loss and its gradient (0 where x equals y) are exactly L1's, as torch routes beta = 0 to l1_loss.
/// The gradients are written as torch's smooth_l1_loss_backward compares (x - y against -beta, then beta, then the
/// quadratic part), not derived: where x - y is NaN torch's gradient is NaN, but L1's (beta = 0) is sign(NaN) = 0.
/// </summary>
public static partial class SmoothL1
{
    [ElementwiseLoss(CheckOptions = nameof(CheckOptions), Derivative = nameof(Gradient), TargetDerivative = nameof(TargetGradient))]
    private static float PerElement(float x, float y, float beta = 1f) =>
        MathF.Abs(x - y) < beta ? 0.5f * (x - y) * (x - y) / beta : MathF.Abs(x - y) - (0.5f * beta);

    private static float Gradient(float x, float y, float beta) =>
        beta == 0f ? ElementMath.Sign(x - y) : (x - y) <= -beta ? -1f : (x - y) >= beta ? 1f : (x - y) / beta;

    // torch differentiates the target with the same kernel, input and target swapped.
    private static float TargetGradient(float x, float y, float beta) =>
        beta == 0f ? -ElementMath.Sign(x - y) : (y - x) <= -beta ? -1f : (y - x) >= beta ? 1f : (y - x) / beta;

    private static void CheckOptions(float beta) => LossOptions.RequireBeta(beta);
}
