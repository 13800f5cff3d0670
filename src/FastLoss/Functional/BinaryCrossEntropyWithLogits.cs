using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// BCEWithLogitsLoss on raw logits, in the stable form (1 - y) x + (1 + (p - 1) y)(log1p(exp(-|x|)) + max(-x, 0)),
/// finite for logits of any size. <c>posWeight</c> (p) weighs the positive term; its gradient is torch's
/// sigmoid(x)(1 + (p - 1) y) - p y, which is what the stable form differentiates to, without its kinks at 0.
/// sigmoid(x) is written as (x >= 0 ? 1 : e) / (1 + e) with e = exp(-|x|): exact at both extremes, and the fused
/// kernel computes e once for the loss and the gradient.
/// </summary>
public static partial class BinaryCrossEntropyWithLogits
{
    [ElementwiseLoss(Weighted = true, Derivative = nameof(Gradient))]
    private static float PerElement(float x, float y, [PerElement] float posWeight = 1f) =>
        ((1f - y) * x) + ((1f + ((posWeight - 1f) * y)) * (ElementMath.Log1P(MathF.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f)));

    private static float Gradient(float x, float y, float posWeight) =>
        ((x >= 0f ? 1f : MathF.Exp(-MathF.Abs(x))) / (1f + MathF.Exp(-MathF.Abs(x))) * (1f + ((posWeight - 1f) * y))) - (posWeight * y);
}
