namespace FastLoss.Functional;

/// <summary>
/// The targets of a CTC loss and the lengths that delimit them: either padded, one row of
/// <see cref="PaddedLength"/> labels per sequence (torch's (N, S) targets), or all sequences' labels concatenated
/// (torch's 1-D targets of sum(target_lengths) labels); with one input length and one target length per sequence.
/// </summary>
public readonly ref struct CtcTargets
{
    private CtcTargets(ReadOnlySpan<long> labels, int paddedLength, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths)
    {
        Labels = labels;
        PaddedLength = paddedLength;
        InputLengths = inputLengths;
        TargetLengths = targetLengths;
    }

    /// <summary>The label values (never the blank in a proper target, though torch accepts it).</summary>
    public ReadOnlySpan<long> Labels { get; }

    /// <summary>S, the row length of padded targets; -1 for concatenated targets.</summary>
    public int PaddedLength { get; }

    /// <summary>How many time steps of each sequence are used (at most T).</summary>
    public ReadOnlySpan<int> InputLengths { get; }

    /// <summary>How many labels each sequence's target has.</summary>
    public ReadOnlySpan<int> TargetLengths { get; }

    /// <summary>Whether the labels are concatenated (1-D) rather than padded rows.</summary>
    public bool IsConcatenated => PaddedLength < 0;

    /// <summary>Rows of <paramref name="paddedLength"/> labels, one per sequence (labels past a row's target length are ignored).</summary>
    public static CtcTargets Padded(ReadOnlySpan<long> labels, int paddedLength, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(paddedLength);
        return new CtcTargets(labels, paddedLength, inputLengths, targetLengths);
    }

    /// <summary>Every sequence's labels one after the other: exactly sum(target_lengths) of them.</summary>
    public static CtcTargets Concatenated(ReadOnlySpan<long> labels, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths) =>
        new(labels, -1, inputLengths, targetLengths);
}
