using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.Tensors.Operations;

/// <summary>One call of <c>x.Sum()</c> or <c>x.Mean()</c> over every element: a 0-dim result whose gradient spreads evenly.</summary>
internal sealed class ReductionNode : Node
{
    private static readonly object SumOwner = new(), MeanOwner = new();

    private bool _mean;
    private Tensor? _input;

    [HotPath]
    public static Tensor Run(Tensor x, bool mean)
    {
        GraphArena arena = GraphArena.Current;
        ReductionNode node = arena.Claim<ReductionNode>(mean ? MeanOwner : SumOwner, x.Shape);
        Tensor output = node.PlanOutput([]);

        // In double, as the losses' reductions: the sum of many floats keeps its precision.
        double total = 0;
        ReadOnlySpan<float> values = x.Data;
        for (int i = 0; i < values.Length; i++)
        {
            total += values[i];
        }

        output.Data[0] = mean ? (float)(total / values.Length) : (float)total;
        if (arena.WantsGraph(x))
        {
            node._mean = mean;
            node._input = x;
            arena.Record(node, x);
        }

        return output;
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        GradientTarget target = GradientTarget.For(_input!);
        if (target.IsEmpty)
        {
            return;
        }

        float g = OutputGrad[0];
        if (_mean)
        {
            g /= _input!.Length;
        }

        Span<float> destination = target.Span;
        if (target.Accumulate)
        {
            TensorPrimitives.Add(destination, g, destination);
        }
        else
        {
            destination.Fill(g);
        }
    }
}
