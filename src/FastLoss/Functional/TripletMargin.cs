using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// TripletMarginLoss with p = 2 (torch's default), per row: max(0, margin + d(a, p) - d(a, n)), with torch's
/// pairwise distance d(u, v) = ||u - v + eps||; with <c>swap</c>, d(a, n) is replaced by min(d(a, n), d(p, n)). No
/// target: over spans the row count is given. The p = 1 form is <see cref="TripletMarginL1"/>.
/// </summary>
public static partial class TripletMargin
{
    [RowwiseLoss(Inputs = 3, WithTarget = false)]
    private static float PerRow(float anchor, float positive, float negative, float margin = 1f, float eps = 1e-6f, bool swap = false) =>
        ElementMath.ClampMin(
            margin + ElementMath.NormFromSquares(Row.Sum((anchor - positive + eps) * (anchor - positive + eps)))
            - (swap
                ? ElementMath.Minimum(ElementMath.NormFromSquares(Row.Sum((anchor - negative + eps) * (anchor - negative + eps))), ElementMath.NormFromSquares(Row.Sum((positive - negative + eps) * (positive - negative + eps))))
                : ElementMath.NormFromSquares(Row.Sum((anchor - negative + eps) * (anchor - negative + eps)))),
            0f);
}
