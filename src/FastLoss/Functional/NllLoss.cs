using FastLoss.Functional.Classification;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// torch's nll_loss over spans: <c>l_n = -w[y_n] * input[n, y_n]</c> on log-probabilities laid out as
/// <see cref="ClassLayout"/> (the class dimension may be strided), with ignore_index and the weighted mean
/// (sum of w[y] over the kept targets; NaN when every target is ignored). As the elementwise losses: Forward and
/// ForwardBackward return the reduced loss (Mean or Sum) and the *None methods work per entry. The gradient is
/// -w[y] x scale at each entry's target class and 0 elsewhere; it does not depend on the input's values. Gradients
/// are written (=). Every argument and target is checked before anything is written; nothing is allocated.
/// </summary>
public static class NllLoss
{
    /// <summary>The loss reduced by <paramref name="reduction"/> (Mean or Sum).</summary>
    [HotPath]
    public static float Forward(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, NllLossOptions options = default, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        Check(input, layout, targets, options);
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        return Run(input, layout, targets, denominator, options, reduction, []);
    }

    /// <summary>The loss of each entry (reduction none), written to <paramref name="loss"/>.</summary>
    [HotPath]
    public static void ForwardNone(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> loss, NllLossOptions options = default)
    {
        Check(input, layout, targets, options);
        SpanArguments.RequireLength(loss.Length, layout.Entries, "The loss", layout);
        SpanArguments.RequireDisjoint(loss, input, "The loss", "the input");
        SpanArguments.RequireDisjoint(loss, targets, "The loss", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(input, layout, targets, denominator, options, Reduction.None, loss);
    }

    /// <summary>
    /// d(reduced loss)/d(input) times <paramref name="upstream"/>, written to <paramref name="inputGrad"/>; with
    /// <see cref="Reduction.None"/>, every entry's upstream gradient is <paramref name="upstream"/>.
    /// </summary>
    [HotPath]
    public static void Backward(ClassLayout layout, ReadOnlySpan<long> targets, Span<float> inputGrad, NllLossOptions options = default, Reduction reduction = Reduction.Mean, float upstream = 1f)
    {
        SpanArguments.RequireReduction(reduction);
        CheckTargets(layout, targets, options);
        SpanArguments.RequireLength(inputGrad.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(inputGrad, targets, "The gradient", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        inputGrad.Clear();
        AccumulateGradient(layout, targets, options, Scale(reduction, upstream, denominator), [], inputGrad);
    }

    /// <summary>For reduction none: <paramref name="upstream"/>[n] * d loss[n] / d input, written to <paramref name="inputGrad"/>.</summary>
    [HotPath]
    public static void BackwardNone(ClassLayout layout, ReadOnlySpan<long> targets, ReadOnlySpan<float> upstream, Span<float> inputGrad, NllLossOptions options = default)
    {
        CheckTargets(layout, targets, options);
        SpanArguments.RequireLength(upstream.Length, layout.Entries, "The upstream gradient", layout);
        SpanArguments.RequireLength(inputGrad.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(inputGrad, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(inputGrad, upstream, "The gradient", "the upstream gradient");
        ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        inputGrad.Clear();
        AccumulateGradient(layout, targets, options, 1f, upstream, inputGrad);
    }

    /// <summary>The reduced loss and its gradient (written to <paramref name="inputGrad"/>).</summary>
    [HotPath]
    public static float ForwardBackward(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> inputGrad, NllLossOptions options = default, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        Check(input, layout, targets, options);
        SpanArguments.RequireLength(inputGrad.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(inputGrad, input, "The gradient", "the input");
        SpanArguments.RequireDisjoint(inputGrad, targets, "The gradient", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        float loss = Run(input, layout, targets, denominator, options, reduction, []);
        inputGrad.Clear();
        AccumulateGradient(layout, targets, options, Scale(reduction, 1f, denominator), [], inputGrad);
        return loss;
    }

    /// <summary>
    /// The forward pass over checked targets: writes each entry's loss when <paramref name="entryLosses"/> is
    /// non-empty and returns the reduced loss (the sum for none).
    /// </summary>
    internal static float Run(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, double denominator, NllLossOptions options, Reduction reduction, Span<float> entryLosses)
    {
        ReadOnlySpan<float> weight = options.Weight;
        long ignoreIndex = options.IgnoreIndex;
        bool perEntry = !entryLosses.IsEmpty;
        int classes = layout.Classes;
        int inner = layout.Inner;
        double total = 0;
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                int entry = (b * inner) + i;
                long target = targets[entry];
                float loss = 0f;
                if (target != ignoreIndex)
                {
                    int y = (int)target;
                    float value = input[(((b * classes) + y) * inner) + i];
                    loss = weight.IsEmpty ? -value : -(value * weight[y]);
                }

                if (perEntry)
                {
                    entryLosses[entry] = loss;
                }

                total += loss;
            }
        }

        return (float)(reduction == Reduction.Mean ? total / denominator : total);
    }

    /// <summary>Adds -w[y] * scale (times the entry's upstream, if given) at each kept entry's target class.</summary>
    internal static void AccumulateGradient(ClassLayout layout, ReadOnlySpan<long> targets, NllLossOptions options, float scale, ReadOnlySpan<float> entryUpstream, Span<float> inputGrad)
    {
        ReadOnlySpan<float> weight = options.Weight;
        long ignoreIndex = options.IgnoreIndex;
        int classes = layout.Classes;
        int inner = layout.Inner;
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                int entry = (b * inner) + i;
                long target = targets[entry];
                if (target == ignoreIndex)
                {
                    continue;
                }

                int y = (int)target;
                float g = entryUpstream.IsEmpty ? scale : scale * entryUpstream[entry];
                inputGrad[(((b * classes) + y) * inner) + i] -= weight.IsEmpty ? g : g * weight[y];
            }
        }
    }

    /// <summary>The gradient's factor per entry: upstream / denominator for mean, upstream otherwise.</summary>
    internal static float Scale(Reduction reduction, float upstream, double denominator) =>
        reduction == Reduction.Mean ? (float)(upstream / denominator) : upstream;

    private static void Check(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, NllLossOptions options)
    {
        CheckTargets(layout, targets, options);
        SpanArguments.RequireLength(input.Length, layout.Length, "The input", layout);
    }

    private static void CheckTargets(ClassLayout layout, ReadOnlySpan<long> targets, NllLossOptions options)
    {
        SpanArguments.RequireWeight(options.Weight, layout.Classes, probabilityTargets: false);
        SpanArguments.RequireLength(targets.Length, layout.Entries, "The targets", layout);
    }
}
