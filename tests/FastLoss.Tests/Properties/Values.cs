using CsCheck;

namespace FastLoss.Tests.Properties;

/// <summary>
/// Generators of float inputs: mostly ordinary values, with ±0, subnormals, magnitudes up to float's maximum,
/// infinities and NaN mixed in often enough that a case of a few hundred elements holds several of each.
/// </summary>
internal static class Values
{
    public static readonly Gen<float> Ordinary = Gen.Float[-4f, 4f];

    public static readonly Gen<float> SignedZero = Gen.Bool.Select(negative => negative ? -0f : 0f);

    /// <summary>Any subnormal, either sign.</summary>
    public static readonly Gen<float> Subnormal = Gen.Int[1, 0x007F_FFFF].Select(Gen.Bool, (bits, negative) => Signed(BitConverter.Int32BitsToSingle(bits), negative));

    /// <summary>From 1e30 to float's maximum, either sign.</summary>
    public static readonly Gen<float> Huge = Gen.Float[1e30f, float.MaxValue].Select(Gen.Bool, Signed);

    public static readonly Gen<float> Infinity = Gen.Bool.Select(negative => negative ? float.NegativeInfinity : float.PositiveInfinity);

    public static readonly Gen<float> NaN = Gen.Const(float.NaN);

    /// <summary>Every kind of float.</summary>
    public static readonly Gen<float> Any = Gen.Frequency(
        (60, Ordinary), (4, SignedZero), (4, Subnormal), (3, Huge), (2, Infinity), (2, NaN));

    /// <summary>
    /// Every kind of float, magnitudes up to 1e36: BCEWithLogits' logits. Beyond that the products of weight, gradient
    /// and upstream gradient pass float's maximum, and FastLoss (weight first) and torch (upstream first) overflow
    /// differently, a known difference.
    /// </summary>
    public static readonly Gen<float> Logit = Gen.Frequency(
        (60, Gen.Float[-12f, 12f]), (4, SignedZero), (4, Subnormal), (3, Gen.Float[1e30f, 1e36f].Select(Gen.Bool, Signed)), (2, Infinity), (2, NaN));

    /// <summary>Finite floats only, still with ±0, subnormals and huge magnitudes.</summary>
    public static readonly Gen<float> Finite = Gen.Frequency((60, Ordinary), (4, SignedZero), (4, Subnormal), (3, Huge));

    /// <summary>Values in [0, 1] (BCE's domain): its ends, subnormals, the floats next to 1, and ordinary probabilities.</summary>
    public static readonly Gen<float> Probability = Gen.Frequency(
        (60, Gen.Float.Unit),
        (4, Gen.Bool.Select(one => one ? 1f : 0f)),
        (3, Gen.Int[1, 0x007F_FFFF].Select(BitConverter.Int32BitsToSingle)),
        (3, Gen.Int[1, 64].Select(steps => 1f - (steps * 5.9604645e-8f))));

    /// <summary>Non-negative weights, 0 among them.</summary>
    public static readonly Gen<float> Weight = Gen.Frequency((20, Gen.Float[0f, 2f]), (1, Gen.Const(0f)));

    /// <summary>Upstream gradients as autograd passes them: ordinary, with zeros.</summary>
    public static readonly Gen<float> Upstream = Gen.Frequency((20, Gen.Float[-3f, 3f]), (1, Gen.Const(0f)));

    /// <summary>A length from 0 to 1,000: every SIMD tail at widths 16, 8 and 4, and the empty case, come up.</summary>
    public static readonly Gen<int> Length = Gen.Frequency((3, Gen.Int[0, 40]), (2, Gen.Int[0, 1000]));

    private static float Signed(float magnitude, bool negative) => negative ? -magnitude : magnitude;
}
