namespace FastLoss.Functional;

/// <summary>
/// The shape of CTC log-probabilities: <see cref="Time"/> x <see cref="Batch"/> x <see cref="Classes"/>, row-major
/// (torch's (T, N, C); an unbatched (T, C) input is the same memory with a batch of 1). Classes include the blank.
/// </summary>
public readonly record struct CtcLayout
{
    public CtcLayout(int time, int batch, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(time);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(classes);
        Time = time;
        Batch = batch;
        Classes = classes;
    }

    /// <summary>T, the longest input sequence (input lengths are at most T).</summary>
    public int Time { get; }

    /// <summary>N, the number of sequences.</summary>
    public int Batch { get; }

    /// <summary>C, the labels including the blank.</summary>
    public int Classes { get; }

    /// <summary>T x N x C, the number of log-probabilities (and of gradient elements).</summary>
    public int Length => checked(Time * Batch * Classes);
}
