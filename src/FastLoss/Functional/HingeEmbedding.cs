using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// HingeEmbeddingLoss: for a target of 1 the input itself (a distance), for -1 the hinge max(0, margin - x); a target
/// that is neither takes both terms, as torch's. The target only chooses the terms, so it gets no gradient.
/// </summary>
public static partial class HingeEmbedding
{
    [ElementwiseLoss(Target = LossTarget.Label, Derivative = nameof(Gradient))]
    private static float PerElement(float x, float y, float margin = 1f) =>
        (y != 1f ? MathF.Max(margin - x, 0f) : 0f) + (y != -1f ? x : 0f);

    // torch's clamp_min passes the gradient where margin - x >= 0, at the boundary too (max's tie rule would not).
    private static float Gradient(float x, float y, float margin) =>
        (y != 1f ? ((margin - x) >= 0f ? -1f : 0f) : 0f) + (y != -1f ? 1f : 0f);
}
