using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>TripletMarginLoss with p = 1: the distances are sums of |u - v + eps| over the row, as torch's norm(p=1).</summary>
public static partial class TripletMarginL1
{
    [RowwiseLoss(Inputs = 3, WithTarget = false)]
    private static float PerRow(float anchor, float positive, float negative, float margin = 1f, float eps = 1e-6f, bool swap = false) =>
        ElementMath.ClampMin(
            margin + Row.Sum(MathF.Abs(anchor - positive + eps))
            - (swap
                ? ElementMath.Minimum(Row.Sum(MathF.Abs(anchor - negative + eps)), Row.Sum(MathF.Abs(positive - negative + eps)))
                : Row.Sum(MathF.Abs(anchor - negative + eps))),
            0f);
}
