using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// GaussianNLLLoss: the negative log-likelihood of the target under a Gaussian of mean <c>input</c> and variance
/// <c>var</c>, 0.5 (log v + (input - y)^2 / v) with v = max(var, eps), plus 0.5 log(2 pi) when <c>full</c>. As in
/// torch, the variance is clamped without a gradient of its own (so the gradient reaching var is that of the
/// unclamped formula, at the clamped value), and a negative variance is refused. The input, the variance and the
/// target are all differentiable. Over spans, var has the input's length (the module broadcasts torch's shapes).
/// </summary>
public static partial class GaussianNll
{
    // The logarithm's argument is clamped at eps, the user's guard, as torch's is.
    [ElementwiseLoss(Inputs = 2, AllowUnclampedLog = true)]
    private static float PerElement(float input, [NonNegative] float var, float y, bool full = false, float eps = 1e-6f) =>
        (0.5f * (MathF.Log(ElementMath.ClampMinNoGrad(var, eps)) + (((input - y) * (input - y)) / ElementMath.ClampMinNoGrad(var, eps))))
        + (full ? HalfLogTwoPi : 0f);

    /// <summary>0.5 log(2 pi), the constant torch adds with full=True.</summary>
    private const float HalfLogTwoPi = 0.9189385f;
}
