using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLoss.Generation;

/// <summary>
/// exp and log for Vector512&lt;float&gt; computed in float32 (range reduction plus a minimax polynomial, the
/// classic Cephes scheme, about 1 ulp; fused multiply-adds, and vscalefps for the power of two). The runtime's Vector512.Exp/Log for float widen to double and call out
/// per half vector, several times slower; these keep transcendental losses (BCEWithLogits, cross entropy)
/// near memory speed. Narrower vectors run the same 16-lane code where AVX-512 is there.
/// </summary>
public static class FastVectorMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>Above this e^x overflows float: the result is +infinity.</summary>
    private const float ExpOverflow = 88.3762626647949f;

    /// <summary>Below this e^x is under float's smallest normal: the result is flushed to 0 (an error under 1.2e-38).</summary>
    private const float ExpUnderflow = -87.3365447505531f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        if (!Avx512F.IsSupported)
        {
            return ExpFromBits(x);
        }

        // vscalefps applies 2^n with IEEE overflow to infinity and gradual underflow, so only the reduction needs a
        // bounded input: outside [-104, 89] e^x is 0 or infinity in float anyway. The bounds are the first operand:
        // max/min return their second operand when it is NaN, so NaN passes through.
        var clamped = Avx512F.Min(Vector512.Create(89f), Avx512F.Max(Vector512.Create(-104f), x));
        var n = Vector512.Round(clamped * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), clamped);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Polynomial(r);
        return Avx512F.Scale(p, n);
    }

    /// <summary>
    /// e^x for 8 lanes: the 16-lane kernel where AVX-512 runs it (the same numbers at every width), else the same scheme
    /// at 8 lanes. (The runtime's Vector256.Exp is a few ulps off in .NET 10, and 1.0000001 at 0, which overflows
    /// y e^0 where y is near float's maximum.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x) =>
        Avx512F.IsSupported ? Exp(x.ToVector512Unsafe()).GetLower() : ExpFromBits(x);

    /// <summary>e^x for 4 lanes, as for 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x) =>
        Avx512F.IsSupported ? Exp(x.ToVector256Unsafe().ToVector512Unsafe()).GetLower().GetLower() : ExpFromBits(x);

    /// <summary>
    /// log x for 8 lanes through the 16-lane kernel where AVX-512 runs it, else the runtime's. The upper half
    /// repeats the lower so it never takes the special-value path on its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x) =>
        Avx512F.IsSupported ? Log(Vector512.Create(x, x)).GetLower() : Vector256.Log(x);

    /// <summary>log x for 4 lanes, as for 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log(Vector128<float> x)
    {
        if (!Avx512F.IsSupported)
        {
            return Vector128.Log(x);
        }

        var twice = Vector256.Create(x, x);
        return Log(Vector512.Create(twice, twice)).GetLower().GetLower();
    }

    /// <summary>e^r for |r| &lt;= ln2 / 2: 1 + r + r^2 P(r), in fused multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Polynomial(Vector512<float> r)
    {
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        return Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
    }

    /// <summary>The same e^x for processors without vscalefps: 2^n built in the exponent bits, the range fixed up after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpFromBits(Vector512<float> x)
    {
        var clamped = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpUnderflow)), Vector512.Create(ExpOverflow));

        // x = n ln2 + r with |r| <= ln2 / 2; ln2 split in two so n ln2 is exact enough.
        var n = Vector512.Round(clamped * Vector512.Create(Log2E));
        var r = clamped - (n * Vector512.Create(Ln2Hi)) - (n * Vector512.Create(Ln2Lo));
        var p = Polynomial(r);

        // Multiply by 2^n through the exponent bits. n + 127 lies in [1, 254] after the clamp.
        var scale = (Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23;
        var result = p * scale.AsSingle();

        // Lanes outside the clamp (or NaN) are rare: test once, fix them up only when present.
        var inRange = Vector512.GreaterThanOrEqual(x, Vector512.Create(ExpUnderflow)) & Vector512.LessThanOrEqual(x, Vector512.Create(ExpOverflow));
        if (inRange != Vector512<float>.AllBitsSet)
        {
            result = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(ExpOverflow)), Vector512.Create(float.PositiveInfinity), result);
            result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpUnderflow)), Vector512<float>.Zero, result);
            result = Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x); // NaN in, NaN out
        }

        return result;
    }

    /// <summary>ExpFromBits at 8 lanes, with fused multiply-adds where the processor has them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpFromBits(Vector256<float> x)
    {
        var clamped = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpUnderflow)), Vector256.Create(ExpOverflow));
        var n = Vector256.Round(clamped * Vector256.Create(Log2E));
        var r = clamped - (n * Vector256.Create(Ln2Hi)) - (n * Vector256.Create(Ln2Lo));
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(1.9875691500e-4f), r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.MultiplyAddEstimate(p, r * r, r + Vector256<float>.One);
        var scale = (Vector256.ConvertToInt32Native(n) + Vector256.Create(127)) << 23;
        var result = p * scale.AsSingle();
        var inRange = Vector256.GreaterThanOrEqual(x, Vector256.Create(ExpUnderflow)) & Vector256.LessThanOrEqual(x, Vector256.Create(ExpOverflow));
        if (inRange != Vector256<float>.AllBitsSet)
        {
            result = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(ExpOverflow)), Vector256.Create(float.PositiveInfinity), result);
            result = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpUnderflow)), Vector256<float>.Zero, result);
            result = Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
        }

        return result;
    }

    /// <summary>ExpFromBits at 4 lanes, with fused multiply-adds where the processor has them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpFromBits(Vector128<float> x)
    {
        var clamped = Vector128.Min(Vector128.Max(x, Vector128.Create(ExpUnderflow)), Vector128.Create(ExpOverflow));
        var n = Vector128.Round(clamped * Vector128.Create(Log2E));
        var r = clamped - (n * Vector128.Create(Ln2Hi)) - (n * Vector128.Create(Ln2Lo));
        var p = Vector128.MultiplyAddEstimate(Vector128.Create(1.9875691500e-4f), r, Vector128.Create(1.3981999507e-3f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(8.3334519073e-3f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(4.1665795894e-2f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(1.6666665459e-1f));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(5.0000001201e-1f));
        p = Vector128.MultiplyAddEstimate(p, r * r, r + Vector128<float>.One);
        var scale = (Vector128.ConvertToInt32Native(n) + Vector128.Create(127)) << 23;
        var result = p * scale.AsSingle();
        var inRange = Vector128.GreaterThanOrEqual(x, Vector128.Create(ExpUnderflow)) & Vector128.LessThanOrEqual(x, Vector128.Create(ExpOverflow));
        if (inRange != Vector128<float>.AllBitsSet)
        {
            result = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(ExpOverflow)), Vector128.Create(float.PositiveInfinity), result);
            result = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(ExpUnderflow)), Vector128<float>.Zero, result);
            result = Vector128.ConditionalSelect(Vector128.Equals(x, x), result, x);
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> x)
    {
        Vector512<float> m;
        Vector512<float> f;
        if (Avx512F.IsSupported)
        {
            // The hardware splits x = m 2^e with m in [1, 2), subnormals included; the polynomial wants
            // m in [sqrt(1/2), sqrt(2)), so the upper part is halved.
            m = Avx512F.GetMantissa(x, 0b0000);
            f = Avx512F.GetExponent(x);
            var high = Vector512.GreaterThan(m, Vector512.Create(1.41421356f));
            m = Vector512.ConditionalSelect(high, m * Vector512.Create(0.5f), m);
            f += high & Vector512<float>.One;
        }
        else
        {
            (m, f) = Decompose(x);
        }

        var t = m - Vector512<float>.One;
        var z = t * t;
        var y = Vector512.Create(7.0376836292e-2f);
        y = (y * t) + Vector512.Create(-1.1514610310e-1f);
        y = (y * t) + Vector512.Create(1.1676998740e-1f);
        y = (y * t) + Vector512.Create(-1.2420140846e-1f);
        y = (y * t) + Vector512.Create(1.4249322787e-1f);
        y = (y * t) + Vector512.Create(-1.6668057665e-1f);
        y = (y * t) + Vector512.Create(2.0000714765e-1f);
        y = (y * t) + Vector512.Create(-2.4999993993e-1f);
        y = (y * t) + Vector512.Create(3.3333331174e-1f);
        y = y * t * z;
        y += f * Vector512.Create(Ln2Lo);
        y -= z * Vector512.Create(0.5f);
        var result = t + y + (f * Vector512.Create(Ln2Hi));

        // log 0 = -inf, log of a negative or NaN = NaN, log inf = inf: one test for all the unusual lanes.
        var unusual = ~Vector512.LessThan(Vector512.Create(0f) - x, Vector512<float>.Zero) | Vector512.Equals(x, Vector512.Create(float.PositiveInfinity));
        if (unusual != Vector512<float>.Zero)
        {
            result = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512<float>.Zero), Vector512.Create(float.NegativeInfinity), result);
            result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512.Create(float.NaN), result);
            result = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.PositiveInfinity)), x, result);
            result = Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
        }

        return result;
    }

    /// <summary>x = m 2^f with m in [sqrt(1/2), sqrt(2)), from the bits, for processors without AVX-512's getmant/getexp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Mantissa, Vector512<float> Exponent) Decompose(Vector512<float> x)
    {
        // Subnormal inputs are scaled into the normal range first (and 23 taken off the exponent).
        var subnormal = Vector512.LessThan(x, Vector512.Create(1.17549435e-38f));
        var scaled = Vector512.ConditionalSelect(subnormal, x * Vector512.Create(8388608f), x);
        var bits = scaled.AsInt32();
        var e = (bits >>> 23) - Vector512.Create(127);
        var m = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle();
        var high = Vector512.GreaterThan(m, Vector512.Create(1.41421356f));
        m = Vector512.ConditionalSelect(high, m * Vector512.Create(0.5f), m);
        e = Vector512.ConditionalSelect(high.AsInt32(), e + Vector512<int>.One, e);
        e = Vector512.ConditionalSelect(subnormal.AsInt32(), e - Vector512.Create(23), e);
        return (m, Vector512.ConvertToSingle(e));
    }
}
