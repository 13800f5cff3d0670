using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// CosineEmbeddingLoss, per row of the two inputs: 1 - cos for a target of 1, max(0, cos - margin) for -1, 0 for
/// any other target, with torch's cosine: the dot product over sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)). The target is
/// a label (no gradient, as torch's). Over spans: N rows of D elements and one target per row.
/// </summary>
public static partial class CosineEmbedding
{
    [RowwiseLoss(Inputs = 2, Target = LossTarget.Label)]
    private static float PerRow(float input1, float input2, float y, float margin = 0f) =>
        (y == 1f ? 1f - (Row.Sum(input1 * input2) / MathF.Sqrt((Row.Sum(input1 * input1) + Epsilon) * (Row.Sum(input2 * input2) + Epsilon))) : 0f)
        + (y == -1f ? ElementMath.ClampMin((Row.Sum(input1 * input2) / MathF.Sqrt((Row.Sum(input1 * input1) + Epsilon) * (Row.Sum(input2 * input2) + Epsilon))) - margin, 0f) : 0f);

    /// <summary>torch's EPSILON in cosine_embedding_loss, added to each squared norm.</summary>
    private const float Epsilon = 1e-12f;
}
