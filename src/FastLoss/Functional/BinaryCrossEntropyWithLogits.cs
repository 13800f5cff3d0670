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
    [ElementwiseLoss(Weighted = true, Derivative = nameof(Gradient), TargetDerivative = nameof(TargetGradient))]
    private static float PerElement(float x, float y, [PerElement] float posWeight = 1f) =>
        ((1f - y) * x) + ((1f + ((posWeight - 1f) * y)) * (ElementMath.Log1P(MathF.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f)));

    // Without pos_weight torch computes sigmoid(x) - y (the condition is decided when the generator substitutes p = 1).
    private static float Gradient(float x, float y, float posWeight) =>
        posWeight == 1f
            ? ((x >= 0f ? 1f : MathF.Exp(-MathF.Abs(x))) / (1f + MathF.Exp(-MathF.Abs(x)))) - y
            : ((((posWeight * y) + 1f) - y) * ((x >= 0f ? 1f : MathF.Exp(-MathF.Abs(x))) / (1f + MathF.Exp(-MathF.Abs(x))))) - (posWeight * y);

    // torch's binary_cross_entropy_with_logits_target_backward: log_sigmoid(-x) - p log_sigmoid(x), or -x without
    // pos_weight; log_sigmoid(u) = min(u, 0) - log1p(exp(-|u|)), so an infinite logit gives torch's infinity, not
    // the NaN of inf - inf the derived form makes.
    private static float TargetGradient(float x, float y, float posWeight) =>
        posWeight == 1f
            ? -x
            : (MathF.Min(-x, 0f) - ElementMath.Log1P(MathF.Exp(-MathF.Abs(x)))) - ((MathF.Min(x, 0f) - ElementMath.Log1P(MathF.Exp(-MathF.Abs(x)))) * posWeight);
}
