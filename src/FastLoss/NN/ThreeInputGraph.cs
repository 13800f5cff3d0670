using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// How a loss of three differentiable tensors (MarginRankingLoss' input1, input2 and target; GaussianNLLLoss' input,
/// target and var) joins the graph: its node writes every gradient with the loss, so backward reads no input and
/// only scales the stored gradients; and a node links two producers, the two tensors that came out of recorded
/// operations (a leaf needs no link: its gradient is written to it directly).
/// </summary>
internal static class ThreeInputGraph
{
    /// <summary>Records <paramref name="node"/> with links to the (at most two) producers among the three tensors.</summary>
    [HotPath]
    public static void Record(GraphArena arena, Node node, Tensor a, Tensor b, Tensor c, string lossName)
    {
        if (c.GradFn is null)
        {
            arena.Record(node, a, b);
        }
        else if (a.GradFn is null)
        {
            arena.Record(node, c, b);
        }
        else if (b.GradFn is null)
        {
            arena.Record(node, a, c);
        }
        else
        {
            throw new NotSupportedException(
                $"{lossName}: all three tensors come out of recorded operations, and a graph node links two; detach the target (a label) or compute one of them under GradMode.NoGrad()");
        }
    }

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
