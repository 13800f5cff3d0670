using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// How a loss of three differentiable tensors (MarginRankingLoss' input1, input2 and target; GaussianNLLLoss' input,
/// target and var) joins the graph: its node writes every gradient with the loss, so backward reads no input and
/// only scales the stored gradients, and the node links the producers of all three.
/// </summary>
internal static class ThreeInputGraph
{
    /// <summary>Records <paramref name="node"/> with links to the producers of the three tensors.</summary>
    [HotPath]
    public static void Record(GraphArena arena, Node node, Tensor a, Tensor b, Tensor c) => arena.Record(node, a, b, c);

    /// <summary>The chain rule: <paramref name="gradient"/> times the upstream gradient, into (or added to) the tensor's grad.</summary>
    [HotPath]
    public static void AddScaled(Tensor tensor, ReadOnlySpan<float> gradient, ReadOnlySpan<float> upstream, bool perElement)
    {
        Span<float> destination = BackwardPass.GradientFor(tensor, out bool accumulate);
        if (destination.IsEmpty)
        {
            return;
        }

        if (perElement)
        {
            if (accumulate)
            {
                TensorPrimitives.MultiplyAdd(gradient, upstream, destination, destination);
            }
            else
            {
                TensorPrimitives.Multiply(gradient, upstream, destination);
            }
        }
        else if (accumulate)
        {
            TensorPrimitives.MultiplyAdd(gradient, upstream[0], destination, destination);
        }
        else
        {
            TensorPrimitives.Multiply(gradient, upstream[0], destination);
        }
    }

    /// <summary>A buffer of at least <paramref name="length"/> floats, grown (once) when it is shorter.</summary>
    public static Span<float> Buffer(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }

        return buffer.AsSpan(0, length);
    }
}
