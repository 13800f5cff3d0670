namespace FastLoss.Functional;

/// <summary>The configuration of <see cref="CtcLoss"/> other than the reduction; <c>default</c> is torch's (blank 0, no zero_infinity).</summary>
public readonly record struct CtcOptions
{
    /// <summary>The index of the blank label, in [0, C).</summary>
    public int Blank { get; init; }

    /// <summary>
    /// Whether infinite losses (targets no alignment of the input length can produce) and their gradients become 0,
    /// as torch's zero_infinity. A NaN loss stays NaN.
    /// </summary>
    public bool ZeroInfinity { get; init; }
}
