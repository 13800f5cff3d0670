using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The backward step of a loss whose input gradient was computed during its forward pass (the fused
/// cross-entropy): it adds upstream x that gradient into the input's gradient. A reduced loss has one upstream
/// value; an unreduced one has one per entry, which scales the entry's classes (strided by Inner).
/// </summary>
internal sealed class FusedGradientNode : IBackwardNode
{
    private Tensor? _output;
    private Tensor? _input;
    private float[] _gradient = [];
    private ClassLayout _layout;
    private bool _perEntry;

    public Tensor Output => _output ?? throw new InvalidOperationException("The node has not been recorded.");

    public void Set(Tensor output, Tensor input, float[] gradient, ClassLayout layout, bool perEntry)
    {
        _output = output;
        _input = input;
        _gradient = gradient;
        _layout = layout;
        _perEntry = perEntry;
    }

    [HotPath]
    public void Backward()
    {
        Tensor? upstream = _output?.Grad;
        if (upstream is null || _input is null)
        {
            return;
        }

        Span<float> destination = _input.GetOrCreateGrad().Span;
        ReadOnlySpan<float> gradient = _gradient.AsSpan(0, _layout.Length);
        if (!_perEntry)
        {
            TensorPrimitives.MultiplyAdd(gradient, upstream.Span[0], destination, destination);
            return;
        }

        ReadOnlySpan<float> entryUpstream = upstream.Span;
        int classes = _layout.Classes;
        int inner = _layout.Inner;
        for (int b = 0; b < _layout.Batch; b++)
        {
            if (inner == 1)
            {
                Span<float> row = destination.Slice(b * classes, classes);
                TensorPrimitives.MultiplyAdd(gradient.Slice(b * classes, classes), entryUpstream[b], row, row);
                continue;
            }

            ReadOnlySpan<float> entries = entryUpstream.Slice(b * inner, inner);
            for (int c = 0; c < classes; c++)
            {
                int start = ((b * classes) + c) * inner;
                Span<float> slice = destination.Slice(start, inner);
                TensorPrimitives.MultiplyAdd(gradient.Slice(start, inner), entries, slice, slice);
            }
        }
    }
}
