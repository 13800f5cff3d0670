using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// PoissonNLLLoss: the negative log-likelihood of a Poisson target y with rate exp(x) (<c>logInput</c>, torch's
/// default) or x, where log(x + eps) keeps a zero rate finite. <c>full</c> adds Stirling's approximation of
/// log(y!), y log y - y + log(2 pi y) / 2, for targets above 1 (0 elsewhere). The target is differentiable.
/// </summary>
public static partial class PoissonNll
{
    // torch takes the logarithms unclamped: eps is the user's guard.
    [ElementwiseLoss(TargetDerivative = nameof(TargetGradient), AllowUnclampedLog = true)]
    private static float PerElement(float x, float y, bool logInput = true, bool full = false, float eps = 1e-8f) =>
        (logInput ? MathF.Exp(x) - (y * x) : x - (y * MathF.Log(x + eps)))
        + (full ? (y > 1f ? (y * MathF.Log(y)) - y + (0.5f * MathF.Log(2f * MathF.PI * y)) : 0f) : 0f);

    // torch's autograd through the Stirling term: log y + y / y - 1 + 1 / (2 y) (so NaN at an infinite y, where
    // y / y is), and, where y <= 1 masked_fill'ed it to 0, that derivative times 0: NaN where log y is (y <= 0 and
    // NaN), 0 in (0, 1].
    private static float TargetGradient(float x, float y, bool logInput, bool full, float eps) =>
        (logInput ? -x : -MathF.Log(x + eps))
        + (full ? (y > 1f ? (MathF.Log(y) + (y / y)) - 1f + (0.5f / y) : y > 0f ? 0f : float.NaN) : 0f);
}
