namespace FastLoss.NN;

/// <summary>
/// The tensors a classification loss owns and reuses: its output (a 0-dim tensor for a reduced loss, or one value
/// per entry) and the buffer its fused pass writes the input's gradient into. They are allocated again only when
/// the entries' shape changes or the input outgrows the buffer.
/// </summary>
internal sealed class LossOutputPlan
{
    private readonly Tensor _reduced = Tensor.Scalar(0f);
    private Tensor? _entries;
    private float[] _gradient = [];

    /// <summary>The output for the reduction; for <see cref="Reduction.None"/> shaped like the input without its class dimension.</summary>
    public Tensor Output(Reduction reduction, ReadOnlySpan<int> inputShape, int classDim)
    {
        if (reduction != Reduction.None)
        {
            return _reduced;
        }

        if (_entries is null || !MatchesWithout(_entries.Shape, inputShape, classDim))
        {
            var shape = new int[inputShape.Length - 1];
            inputShape[..classDim].CopyTo(shape);
            inputShape[(classDim + 1)..].CopyTo(shape.AsSpan(classDim));
            _entries = Tensor.Zeros(shape);
        }

        return _entries;
    }

    /// <summary>A buffer of at least <paramref name="length"/> floats for the input's gradient.</summary>
    public float[] Gradient(int length)
    {
        if (_gradient.Length < length)
        {
            _gradient = new float[length];
        }

        return _gradient;
    }

    private static bool MatchesWithout(ReadOnlySpan<int> planned, ReadOnlySpan<int> inputShape, int classDim) =>
        planned.Length == inputShape.Length - 1
        && planned[..classDim].SequenceEqual(inputShape[..classDim])
        && planned[classDim..].SequenceEqual(inputShape[(classDim + 1)..]);
}
