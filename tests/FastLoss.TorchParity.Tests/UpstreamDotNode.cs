using FastLoss.Autograd;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// sum(upstream * values) as a recorded operation: calling Backward on its output sends <c>upstream</c> into
/// the gradient of a non-scalar tensor (an unreduced loss, a softmax), as torch's <c>values.backward(upstream)</c>.
/// </summary>
internal sealed class UpstreamDotNode : IBackwardNode
{
    private readonly Tensor _values;
    private readonly float[] _upstream;

    private UpstreamDotNode(Tensor values, float[] upstream)
    {
        _values = values;
        _upstream = upstream;
        double dot = 0;
        for (int i = 0; i < upstream.Length; i++)
        {
            dot += (double)upstream[i] * values.Span[i];
        }

        Output = Tensor.Scalar((float)dot);
        Output.RequiresGrad = true;
    }

    public Tensor Output { get; }

    /// <summary>Records the dot product of <paramref name="values"/> (which must require grad) with <paramref name="upstream"/> and back-propagates it.</summary>
    public static void Backward(Tensor values, float[] upstream)
    {
        Assert.True(values.RequiresGrad, "the tensor to back-propagate through was not recorded");
        Assert.Equal(values.Length, upstream.Length);
        var node = new UpstreamDotNode(values, upstream);
        Tape.Record(node);
        node.Output.Backward();
    }

    void IBackwardNode.Backward()
    {
        float outputGrad = Output.Grad!.Span[0];
        Span<float> grad = _values.GetOrCreateGrad().Span;
        for (int i = 0; i < _upstream.Length; i++)
        {
            grad[i] += outputGrad * _upstream[i];
        }
    }
}
