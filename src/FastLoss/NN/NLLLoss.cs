using FastLoss.Autograd;
using FastLoss.Functional.Classification;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.NLLLoss on log-probabilities: <c>l_n = -w[y_n] * input[n, y_n]</c> with the class dimension at dim 1
/// (dim 0 for an unbatched (C) input), index targets shaped (), (N) or (N, d1, ..., dk), ignore_index, and the
/// weighted mean (sum of w[y] over the kept targets; NaN when all are ignored). When the input requires a gradient,
/// the call records a node that scatters the gradient into the input's gradient; it keeps a copy of the targets.
/// </summary>
public sealed class NLLLoss : WeightedLoss
{
    /// <param name="weight">A weight per class (1-D, length C), or null. The tensor is read at every call, not copied.</param>
    /// <param name="ignoreIndex">Targets equal to this contribute nothing and leave the mean's denominator.</param>
    /// <param name="reduction">None, Mean (the default) or Sum.</param>
    public NLLLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
        : base(weight, reduction)
    {
        IgnoreIndex = ignoreIndex;
    }

    public long IgnoreIndex { get; }

    [HotPath]
    public Tensor Forward(Tensor input, IndexTensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        using var call = OperationCall.Begin();
        ClassLayout layout = ClassTargetShapes.ForIndexTarget(input.Shape, target.Shape, Weight);
        var options = new NllLossOptions
        {
            Weight = Weight is null ? [] : Weight.Values,
            IgnoreIndex = IgnoreIndex,
        };
        double denominator = ClassLossArguments.ScanIndexTargets(target.Span, layout.Classes, options.Weight, IgnoreIndex);

        GraphArena arena = call.Arena;
        ClassLossNode node = arena.Claim<ClassLossNode>(this, input.Shape);
        Tensor output = node.Plan(Reduction, input.Shape);
        if (Reduction == Reduction.None)
        {
            NllLoss.Run(input.Data, layout, target.Span, denominator, options, Reduction, output.Data, [], 1f, []);
        }
        else
        {
            output.Data[0] = NllLoss.Run(input.Data, layout, target.Span, denominator, options, Reduction, [], [], 1f, []);
        }

        if (arena.WantsGraph(input))
        {
            node.SetNll(input, target.Span, layout, denominator);
            arena.Record(node, input);
        }

        return call.Return(output);
    }

    /// <summary>NLLLoss takes class indices: a float target is refused, as torch refuses one.</summary>
    private protected override Tensor Compute(GraphArena arena, Tensor input, Tensor target) =>
        throw new ArgumentException(
            "expected scalar type Long but found Float: NLLLoss takes class indices (an IndexTensor) as its target", nameof(target));
}
