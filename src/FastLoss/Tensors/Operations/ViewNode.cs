using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.Tensors.Operations;

/// <summary>
/// A reshaping call (Flatten, Reshape): the output is a view of the input's elements, rebound at each call, and
/// backward passes the gradient through unchanged (the layouts agree element for element).
/// </summary>
internal sealed class ViewNode : Node
{
    private Tensor? _input;

    /// <summary>Points the output, shaped <paramref name="shape"/>, at <paramref name="input"/>'s elements.</summary>
    [HotPath]
    public Tensor Bind(Tensor input, ReadOnlySpan<int> shape)
    {
        if (!IsPlanned)
        {
            SetOutput(Tensor.ForView(shape));
        }

        Output.Rebind(input.Storage, input.Offset);
        ViewOf = input.Producer;
        _input = input;
        return Output;
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        Span<float> inputGrad = BackwardPass.GradientFor(_input!, out bool accumulate);
        if (inputGrad.IsEmpty)
        {
            return;
        }

        if (accumulate)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(inputGrad, OutputGrad, inputGrad);
        }
        else
        {
            OutputGrad.CopyTo(inputGrad);
        }
    }
}
