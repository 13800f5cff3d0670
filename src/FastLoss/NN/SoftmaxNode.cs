using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>The backward step of <see cref="Softmax"/> and <see cref="LogSoftmax"/>: it needs only the output and its gradient.</summary>
internal sealed class SoftmaxNode(bool log) : IBackwardNode
{
    private Tensor? _output;
    private Tensor? _input;
    private ClassLayout _layout;

    public Tensor Output => _output ?? throw new InvalidOperationException("The node has not been recorded.");

    public void Set(Tensor output, Tensor input, ClassLayout layout)
    {
        _output = output;
        _input = input;
        _layout = layout;
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
        if (log)
        {
            LogSoftmaxKernel.Backward(_output!.Span, upstream.Span, _layout, destination, accumulate: true);
        }
        else
        {
            SoftmaxKernel.Backward(_output!.Span, upstream.Span, _layout, destination, accumulate: true);
        }
    }
}
