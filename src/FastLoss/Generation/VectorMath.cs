using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLoss.Generation;

/// <summary>
/// The vector forms of <see cref="ElementMath"/> at each width, used by generated kernels.
/// Each lane computes what the scalar function computes.
/// </summary>
public static class VectorMath
{
    // log1p as in ElementMath.Log1P: log(1 + u) corrected by the rounding error of 1 + u, NaN corrections dropped.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log1P(Vector512<float> u)
    {
        var v = Vector512<float>.One + u;
        // The correction is within an ulp of v, so a 14-bit reciprocal divides it accurately enough.
        var correction = Avx512F.IsSupported
            ? ((v - Vector512<float>.One) - u) * Avx512F.Reciprocal14(v)
            : ((v - Vector512<float>.One) - u) / v;
        correction = Vector512.ConditionalSelect(Vector512.Equals(correction, correction), correction, Vector512<float>.Zero);
        return FastVectorMath.Log(v) - correction;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log1P(Vector256<float> u)
    {
        var v = Vector256<float>.One + u;
        var correction = ((v - Vector256<float>.One) - u) / v;
        correction = Vector256.ConditionalSelect(Vector256.Equals(correction, correction), correction, Vector256<float>.Zero);
        return FastVectorMath.Log(v) - correction;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log1P(Vector128<float> u)
    {
        var v = Vector128<float>.One + u;
        var correction = ((v - Vector128<float>.One) - u) / v;
        correction = Vector128.ConditionalSelect(Vector128.Equals(correction, correction), correction, Vector128<float>.Zero);
        return FastVectorMath.Log(v) - correction;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sign(Vector512<float> u)
    {
        // torch's sign: 1 where u > 0, -1 where u < 0, 0 elsewhere (±0 and NaN).
        var positive = Vector512.GreaterThan(u, Vector512<float>.Zero);
        var negative = Vector512.LessThan(u, Vector512<float>.Zero);
        return Vector512.ConditionalSelect(positive, Vector512<float>.One, Vector512.ConditionalSelect(negative, -Vector512<float>.One, Vector512<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> u)
    {
        var positive = Vector256.GreaterThan(u, Vector256<float>.Zero);
        var negative = Vector256.LessThan(u, Vector256<float>.Zero);
        return Vector256.ConditionalSelect(positive, Vector256<float>.One, Vector256.ConditionalSelect(negative, -Vector256<float>.One, Vector256<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sign(Vector128<float> u)
    {
        var positive = Vector128.GreaterThan(u, Vector128<float>.Zero);
        var negative = Vector128.LessThan(u, Vector128<float>.Zero);
        return Vector128.ConditionalSelect(positive, Vector128<float>.One, Vector128.ConditionalSelect(negative, -Vector128<float>.One, Vector128<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> u) => Vector512<float>.One / (Vector512<float>.One + FastVectorMath.Exp(-u));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> u) => Vector256<float>.One / (Vector256<float>.One + FastVectorMath.Exp(-u));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> u) => Vector128<float>.One / (Vector128<float>.One + FastVectorMath.Exp(-u));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> XLogY(Vector512<float> a, Vector512<float> b)
    {
        // ElementMath.XLogY lane by lane: 0 where a is 0 unless b is NaN (b != b).
        var product = a * FastVectorMath.Log(b);
        var zero = Vector512.Equals(a, Vector512<float>.Zero) & Vector512.Equals(b, b);
        return Vector512.ConditionalSelect(zero, Vector512<float>.Zero, product);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> XLogY(Vector256<float> a, Vector256<float> b)
    {
        // ElementMath.XLogY lane by lane: 0 where a is 0 unless b is NaN (b != b).
        var product = a * FastVectorMath.Log(b);
        var zero = Vector256.Equals(a, Vector256<float>.Zero) & Vector256.Equals(b, b);
        return Vector256.ConditionalSelect(zero, Vector256<float>.Zero, product);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> XLogY(Vector128<float> a, Vector128<float> b)
    {
        // ElementMath.XLogY lane by lane: 0 where a is 0 unless b is NaN (b != b).
        var product = a * FastVectorMath.Log(b);
        var zero = Vector128.Equals(a, Vector128<float>.Zero) & Vector128.Equals(b, b);
        return Vector128.ConditionalSelect(zero, Vector128<float>.Zero, product);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AbsPow(Vector512<float> u, Vector512<float> p)
    {
        // exp(p log|u|), exactly 0 where u is 0 (the exp of -inf would be a denormal).
        var magnitude = Vector512.Abs(u);
        var power = FastVectorMath.Exp(p * FastVectorMath.Log(magnitude));
        return Vector512.ConditionalSelect(Vector512.Equals(magnitude, Vector512<float>.Zero), Vector512<float>.Zero, power);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> RootOf(Vector512<float> u, Vector512<float> p)
    {
        var root = FastVectorMath.Exp(FastVectorMath.Log(u) / p);
        return Vector512.ConditionalSelect(Vector512.Equals(u, Vector512<float>.Zero), Vector512<float>.Zero, root);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AbsPow(Vector256<float> u, Vector256<float> p)
    {
        // exp(p log|u|), exactly 0 where u is 0 (the exp of -inf would be a denormal).
        var magnitude = Vector256.Abs(u);
        var power = FastVectorMath.Exp(p * FastVectorMath.Log(magnitude));
        return Vector256.ConditionalSelect(Vector256.Equals(magnitude, Vector256<float>.Zero), Vector256<float>.Zero, power);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RootOf(Vector256<float> u, Vector256<float> p)
    {
        var root = FastVectorMath.Exp(FastVectorMath.Log(u) / p);
        return Vector256.ConditionalSelect(Vector256.Equals(u, Vector256<float>.Zero), Vector256<float>.Zero, root);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AbsPow(Vector128<float> u, Vector128<float> p)
    {
        // exp(p log|u|), exactly 0 where u is 0 (the exp of -inf would be a denormal).
        var magnitude = Vector128.Abs(u);
        var power = FastVectorMath.Exp(p * FastVectorMath.Log(magnitude));
        return Vector128.ConditionalSelect(Vector128.Equals(magnitude, Vector128<float>.Zero), Vector128<float>.Zero, power);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> RootOf(Vector128<float> u, Vector128<float> p)
    {
        var root = FastVectorMath.Exp(FastVectorMath.Log(u) / p);
        return Vector128.ConditionalSelect(Vector128.Equals(u, Vector128<float>.Zero), Vector128<float>.Zero, root);
    }
}
