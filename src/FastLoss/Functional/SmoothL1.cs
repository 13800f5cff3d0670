using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// SmoothL1Loss: quadratic below <c>beta</c>, linear above. With beta = 0 the quadratic branch never applies,
/// so the loss and its gradient (0 where x equals y) are exactly L1's, as torch routes beta = 0 to l1_loss.
/// </summary>
public static partial class SmoothL1
{
    [ElementwiseLoss(CheckOptions = nameof(CheckOptions))]
    private static float PerElement(float x, float y, float beta = 1f) =>
        MathF.Abs(x - y) < beta ? 0.5f * (x - y) * (x - y) / beta : MathF.Abs(x - y) - (0.5f * beta);

    private static void CheckOptions(float beta) => LossOptions.RequireBeta(beta);
}
