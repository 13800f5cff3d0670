using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// The per-class terms of MultiLabelSoftMarginLoss: -(y log_sigmoid(x) + (1 - y) log_sigmoid(-x)), with torch's
/// log_sigmoid, min(u, 0) - log1p(exp(-|u|)), and its backward. The module averages the terms over the class
/// dimension, per sample, with an optional weight per class. The target's gradient is derived.
/// </summary>
public static partial class MultiLabelSoftMargin
{
    [ElementwiseLoss(Weighted = true, Derivative = nameof(Gradient))]
    private static float PerElement(float x, float y) =>
        -((y * (MathF.Min(x, 0f) - ElementMath.Log1P(MathF.Exp(-MathF.Abs(x)))))
        + ((1f - y) * (MathF.Min(-x, 0f) - ElementMath.Log1P(MathF.Exp(-MathF.Abs(x))))));

    // torch's log_sigmoid_backward at x and at -x: 1 - q where the argument is negative, q elsewhere, with
    // q = exp(-|x|) / (1 + exp(-|x|)); the terms' derivative -(y ls'(x) - (1 - y) ls'(-x)).
    private static float Gradient(float x, float y) =>
        -((y * (x < 0f ? 1f - (MathF.Exp(-MathF.Abs(x)) / (1f + MathF.Exp(-MathF.Abs(x)))) : MathF.Exp(-MathF.Abs(x)) / (1f + MathF.Exp(-MathF.Abs(x)))))
        - ((1f - y) * (x > 0f ? 1f - (MathF.Exp(-MathF.Abs(x)) / (1f + MathF.Exp(-MathF.Abs(x)))) : MathF.Exp(-MathF.Abs(x)) / (1f + MathF.Exp(-MathF.Abs(x))))));
}
