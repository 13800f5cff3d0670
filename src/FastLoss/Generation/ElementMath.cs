using System.Runtime.CompilerServices;

namespace FastLoss.Generation;

/// <summary>
/// Scalar functions that formulas may use beside MathF's, with the semantics torch's kernels have.
/// </summary>
public static class ElementMath
{
    /// <summary>log(1 + u), accurate for small u (MathF has none; float.LogP1 is computed as Log(u + 1)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log1P(float u)
    {
        float v = 1f + u;
        // The rounding error of 1 + u is recovered from (v - 1) - u: log1p(u) = log(v) - ((v - 1) - u) / v.
        // Where v is 0 or infinite the correction is NaN and the logarithm alone is the answer.
        float correction = ((v - 1f) - u) / v;
        return MathF.Log(v) - (float.IsNaN(correction) ? 0f : correction);
    }

    /// <summary>
    /// torch's sign, (0 &lt; u) - (u &lt; 0): 1, -1, and 0 at ±0 and at NaN (where MathF.Sign throws). It is what
    /// abs backpropagates, so L1's gradient is 0 where x - y is NaN, as torch's is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(float u) => u > 0f ? 1f : u < 0f ? -1f : 0f;

    /// <summary>The logistic function 1 / (1 + exp(-u)), exact at the extremes (0 and 1, never NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float u) => 1f / (1f + MathF.Exp(-u));

    /// <summary>
    /// torch's xlogy: 0 where <paramref name="a"/> is 0 (so 0 log 0 is 0, KLDivLoss at a zero target), NaN where
    /// <paramref name="b"/> is NaN, a log(b) elsewhere.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float XLogY(float a, float b) => float.IsNaN(b) ? float.NaN : a == 0f ? 0f : a * MathF.Log(b);

    /// <summary>
    /// torch's clamp_min: max(u, min), NaN where u is NaN. In a formula its derivative passes the gradient to u
    /// wherever u >= min, the boundary included, as torch's does (MathF.Max gives it to the second argument at a tie).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ClampMin(float u, float min) => MathF.Max(u, min);

    /// <summary>
    /// max(u, min) whose derivative in a formula is that of u alone: torch's <c>with torch.no_grad(): var.clamp_(min=eps)</c>
    /// on a clone, as gaussian_nll_loss clamps its variance (the clamped value is used, the gradient flows unclamped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ClampMinNoGrad(float u, float min) => MathF.Max(u, min);

    /// <summary>
    /// A 2-norm from its sum of squares, sqrt(u), with torch's norm backward in a formula: where the norm is 0 its
    /// gradient is 0 (sqrt's derivative is infinite there, and infinity times the squares' zero slope would be NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float NormFromSquares(float u) => MathF.Sqrt(u);

    /// <summary>
    /// torch's minimum(a, b) (NaN where either is): in a formula its gradient goes to the smaller argument and is
    /// split in half at a tie, as torch's does (MathF.Min's derivative would give all of it to one side).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Minimum(float a, float b) => MathF.Min(a, b);

    /// <summary>
    /// |u|^p, the term of a p-norm: in a formula its derivative is p sign(u) |u|^(p - 1), and 0 where u is 0 (as
    /// torch's norm backward masks it; for p &lt; 1 the power alone would be infinite there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float AbsPow(float u, float p) => MathF.Pow(MathF.Abs(u), p);

    /// <summary>
    /// u^(1 / p), a p-norm from its sum of powers: in a formula its derivative is 0 where u is 0, as torch's norm
    /// backward gives where the norm is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RootOf(float u, float p) => MathF.Pow(u, 1f / p);
}
