using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// HingeEmbeddingLoss: for a target of 1 the input itself (a distance), for -1 the hinge max(0, margin - x); a target
/// that is neither takes both terms, as torch's. The target only chooses the terms, so it gets no gradient.
/// </summary>
public static partial class HingeEmbedding
{
    // torch's clamp_min, whose gradient passes at margin - x = 0 as torch's does.
    [ElementwiseLoss(Target = LossTarget.Label)]
    private static float PerElement(float x, float y, float margin = 1f) =>
        (y != 1f ? ElementMath.ClampMin(margin - x, 0f) : 0f) + (y != -1f ? x : 0f);
}
