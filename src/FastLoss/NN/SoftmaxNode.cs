using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// One call of <see cref="Softmax"/> or <see cref="LogSoftmax"/>: the output along one dimension, and a backward
/// step that needs only the output and its gradient.
/// </summary>
internal sealed class SoftmaxNode : Node
{
    private ClassLayout _layout;
    private bool _log;

    /// <summary>Computes softmax (or its log) of <paramref name="input"/> along <paramref name="dim"/> for <paramref name="owner"/>.</summary>
    [HotPath]
    public static Tensor Run(GraphArena arena, Module owner, Tensor input, int dim, bool log)
    {
        ClassLayout layout = ClassLayout.ForDim(input.Shape, dim);
        SoftmaxNode node = arena.Claim<SoftmaxNode>(owner, input.Shape);
        Tensor output = node.PlanOutput(input.Shape);
        if (log)
        {
            LogSoftmaxKernel.Forward(input.Data, layout, output.Data);
        }
        else
        {
            SoftmaxKernel.Forward(input.Data, layout, output.Data);
        }

        if (arena.WantsGraph(input))
        {
            node._layout = layout;
            node._log = log;
            node._input = input;
            arena.Record(node, input);
        }

        return output;
    }

    private Tensor? _input;

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        Span<float> destination = BackwardPass.GradientFor(_input!, out bool accumulate);
        if (destination.IsEmpty)
        {
            return;
        }

        if (_log)
        {
            LogSoftmaxKernel.Backward(Output.Data, OutputGrad, _layout, destination, accumulate);
        }
        else
        {
            SoftmaxKernel.Backward(Output.Data, OutputGrad, _layout, destination, accumulate);
        }
    }
}
