using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// MarginRankingLoss: max(0, -y (x1 - x2) + margin) for a target y of 1 (x1 should rank higher) or -1, written with
/// torch's clamp_min, so the gradients pass at the boundary as torch's do. Two differentiable inputs and a
/// differentiable target, every gradient derived.
/// </summary>
public static partial class MarginRanking
{
    [ElementwiseLoss(Inputs = 2)]
    private static float PerElement(float input1, float input2, float y, float margin = 0f) =>
        ElementMath.ClampMin((-y * (input1 - input2)) + margin, 0f);
}
