using FastLoss.Autograd;
using FastLoss.Functional.Classification;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.NLLLoss on log-probabilities: <c>l_n = -w[y_n] * input[n, y_n]</c> with the class dimension at dim 1
/// (dim 0 for an unbatched (C) input), index targets shaped (), (N) or (N, d1, ..., dk), ignore_index, and the
/// weighted mean (sum of w[y] over the kept targets; NaN when all are ignored). The returned tensor is owned by
/// this loss and reused (allocating only when the shape of the entries changes). When the input requires a
/// gradient and the tape is recording, a node is recorded that scatters the gradient into <c>input.Grad</c>; it
/// reads the target tensor at backward time, so keep the target unchanged until then.
/// </summary>
public sealed class NLLLoss
{
    private readonly LossOutputPlan _plan = new();
    private readonly NllGradientNode _node = new();

    /// <param name="weight">A weight per class (1-D, length C), or null. The tensor is read at every call, not copied.</param>
    /// <param name="ignoreIndex">Targets equal to this contribute nothing and leave the mean's denominator.</param>
    /// <param name="reduction">None, Mean (the default) or Sum.</param>
    public NLLLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        SpanArguments.RequireReduction(reduction);
        Weight = weight;
        IgnoreIndex = ignoreIndex;
        Reduction = reduction;
    }

    public Tensor? Weight { get; }

    public long IgnoreIndex { get; }

    public Reduction Reduction { get; }

    [HotPath]
    public Tensor Forward(Tensor input, IndexTensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ClassLayout layout = ClassTargetShapes.ForIndexTarget(input.Shape, target.Shape, Weight);
        var options = new NllLossOptions
        {
            Weight = Weight is null ? [] : Weight.Span,
            IgnoreIndex = IgnoreIndex,
        };
        double denominator = ClassTargets.Scan(target.Span, layout.Classes, options.Weight, IgnoreIndex);

        Tensor output = _plan.Output(Reduction, input.Shape, input.Rank == 1 ? 0 : 1);
        if (Reduction == Reduction.None)
        {
            NllLoss.Run(input.Span, layout, target.Span, denominator, options, Reduction, output.Span, [], 1f, []);
        }
        else
        {
            output.Span[0] = NllLoss.Run(input.Span, layout, target.Span, denominator, options, Reduction, [], [], 1f, []);
        }

        bool record = input.RequiresGrad && Tape.IsRecording;
        output.RequiresGrad = record;
        if (record)
        {
            _node.Set(output, input, target, Weight, IgnoreIndex, Reduction, denominator, layout);
            Tape.Record(_node);
        }

        return output;
    }
}
