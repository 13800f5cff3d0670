using FastLoss.Generation;

namespace FastLoss.Autograd;

/// <summary>
/// Where a backward step puts an input's gradient, as an array window (so parallel parts can share it): the
/// gradient buffer of the node that produced the input, or the leaf's gradient. <see cref="Accumulate"/> says
/// whether a gradient is already there (add to it) or not (overwrite every element). Empty when no gradient is wanted.
/// </summary>
internal readonly struct GradientTarget
{
    private readonly float[]? _array;
    private readonly int _offset;
    private readonly int _length;

    private GradientTarget(float[] array, int offset, int length, bool accumulate)
    {
        _array = array;
        _offset = offset;
        _length = length;
        Accumulate = accumulate;
    }

    public bool IsEmpty => _array is null;

    public bool Accumulate { get; }

    public Span<float> Span => _array is null ? default : _array.AsSpan(_offset, _length);

    /// <summary>The target for <paramref name="input"/>'s gradient; marks it written, so the next contribution adds.</summary>
    [HotPath]
    public static GradientTarget For(Tensor input)
    {
        Node? producer = input.GradFn;
        if (producer is not null)
        {
            if (!producer.Needed)
            {
                return default;
            }

            bool accumulate = producer.GradWritten;
            producer.GradWritten = true;
            return new GradientTarget(producer.OutputGradArray, 0, input.Length, accumulate);
        }

        if (input.RequiresGrad)
        {
            Tensor grad = input.LeafGradientTensor(out bool accumulate);
            return new GradientTarget(grad.Storage, grad.Offset, grad.Length, accumulate);
        }

        return default;
    }
}
