using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>What <see cref="Softmax"/> and <see cref="LogSoftmax"/> share: the dimension, the reused output and the node.</summary>
internal sealed class SoftmaxPlan(int dim, bool log)
{
    private readonly SoftmaxNode _node = new(log);
    private Tensor? _output;

    [HotPath]
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ClassLayout layout = ClassLayout.ForDim(input.Shape, dim);
        if (_output is null || !_output.Shape.SequenceEqual(input.Shape))
        {
            _output = Plan(input);
        }

        if (log)
        {
            LogSoftmaxKernel.Forward(input.Span, layout, _output.Span);
        }
        else
        {
            SoftmaxKernel.Forward(input.Span, layout, _output.Span);
        }

        bool record = input.RequiresGrad && Tape.IsRecording;
        _output.RequiresGrad = record;
        if (record)
        {
            _node.Set(_output, input, layout);
            Tape.Record(_node);
        }

        return _output;
    }

    /// <summary>A new output when the input's shape changes: the only allocation.</summary>
    private static Tensor Plan(Tensor input) => Tensor.Zeros(input.Shape.ToArray());
}
