using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// KLDivLoss: the input holds log-probabilities, the target probabilities (or, with <c>logTarget</c>, their logs);
/// each term is torch's xlogy(y, y) - y x, or exp(y) (y - x) for a log target. A zero target contributes 0, as
/// 0 log 0 does in the limit; its gradient is torch's, NaN (log 0 + 0 / 0). The target is differentiable.
/// Torch's batchmean (the sum over the batch size) is a reduction of the module <c>KLDivLoss</c>; over spans,
/// take Reduction.Sum and divide by the batch size.
/// </summary>
public static partial class KLDivergence
{
    [ElementwiseLoss]
    private static float PerElement(float x, float y, bool logTarget = false) =>
        logTarget ? MathF.Exp(y) * (y - x) : ElementMath.XLogY(y, y) - (y * x);
}
