using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// TripletMarginLoss with any p &gt; 0 besides 1 and 2 (which <see cref="TripletMarginL1"/> and
/// <see cref="TripletMargin"/> serve faster): the distances are torch's p-norms (sum |u - v + eps|^p)^(1/p), with
/// torch's norm backward (0 where an element or the whole norm is 0).
/// </summary>
public static partial class TripletMarginPNorm
{
    [RowwiseLoss(Inputs = 3, WithTarget = false)]
    private static float PerRow(float anchor, float positive, float negative, float margin = 1f, float p = 3f, float eps = 1e-6f, bool swap = false) =>
        ElementMath.ClampMin(
            margin + ElementMath.RootOf(Row.Sum(ElementMath.AbsPow(anchor - positive + eps, p)), p)
            - (swap
                ? ElementMath.Minimum(
                    ElementMath.RootOf(Row.Sum(ElementMath.AbsPow(anchor - negative + eps, p)), p),
                    ElementMath.RootOf(Row.Sum(ElementMath.AbsPow(positive - negative + eps, p)), p))
                : ElementMath.RootOf(Row.Sum(ElementMath.AbsPow(anchor - negative + eps, p)), p)),
            0f);
}
