using FastLoss.Functional.Classification;

namespace FastLoss.Functional;

/// <summary>
/// torch's nll_loss over spans: <c>l_n = -w[y_n] * input[n, y_n]</c> on log-probabilities laid out as
/// <see cref="ClassLayout"/> (the class dimension may be strided), with ignore_index and the weighted mean
/// (sum of w[y] over the kept targets; NaN when every target is ignored). The output holds 1 value for a reduced
/// loss or one per entry for <see cref="Reduction.None"/>. The gradient is -w[y] * scale at each entry's target
/// class and 0 elsewhere; it does not depend on the input's values. Gradients are written (=). Every argument
/// and target is checked before anything is written. Nothing is allocated.
/// </summary>
public static class NllLoss
{
    public static void Forward(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> output, NllLossOptions options)
    {
        Check(layout, targets, options);
        SpanArguments.RequireLength(input.Length, layout.Length, "The input", layout);
        SpanArguments.RequireOutput(output.Length, options.Reduction, layout);
        SpanArguments.RequireDisjoint(output, input, "The output", "the input");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(input, layout, targets, denominator, options, output);
    }

    /// <summary>The gradient of <paramref name="upstream"/> x the loss with respect to the input, written into <paramref name="gradInput"/>.</summary>
    public static void Backward(ClassLayout layout, ReadOnlySpan<long> targets, float upstream, Span<float> gradInput, NllLossOptions options)
    {
        Check(layout, targets, options);
        SpanArguments.RequireLength(gradInput.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(gradInput, targets, "The gradient", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        gradInput.Clear();
        AccumulateGradient(layout, targets, options, Scale(options.Reduction, upstream, denominator), [], gradInput);
    }

    /// <summary>The gradient of an unreduced loss (<see cref="Reduction.None"/>) given the upstream gradient of each entry.</summary>
    public static void BackwardNone(ClassLayout layout, ReadOnlySpan<long> targets, ReadOnlySpan<float> upstream, Span<float> gradInput, NllLossOptions options)
    {
        if (options.Reduction != Reduction.None)
        {
            throw new ArgumentException(
                $"BackwardNone takes one upstream gradient per entry of an unreduced loss, but the options ask for Reduction.{options.Reduction}; use Backward.");
        }

        Check(layout, targets, options);
        SpanArguments.RequireLength(upstream.Length, layout.Entries, "The upstream gradient", layout);
        SpanArguments.RequireLength(gradInput.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(gradInput, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(gradInput, upstream, "The gradient", "the upstream gradient");
        ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        gradInput.Clear();
        AccumulateGradient(layout, targets, options, 1f, upstream, gradInput);
    }

    /// <summary>The loss and its gradient (upstream 1; for <see cref="Reduction.None"/>, upstream 1 per entry).</summary>
    public static void ForwardBackward(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> output, Span<float> gradInput, NllLossOptions options)
    {
        Check(layout, targets, options);
        SpanArguments.RequireLength(input.Length, layout.Length, "The input", layout);
        SpanArguments.RequireOutput(output.Length, options.Reduction, layout);
        SpanArguments.RequireLength(gradInput.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(output, input, "The output", "the input");
        SpanArguments.RequireDisjoint(gradInput, input, "The gradient", "the input");
        SpanArguments.RequireDisjoint(gradInput, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(gradInput, (ReadOnlySpan<float>)output, "The gradient", "the output");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(input, layout, targets, denominator, options, output);
        gradInput.Clear();
        AccumulateGradient(layout, targets, options, Scale(options.Reduction, 1f, denominator), [], gradInput);
    }

    /// <summary>The forward pass over checked targets.</summary>
    internal static void Run(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, double denominator, NllLossOptions options, Span<float> output)
    {
        ReadOnlySpan<float> weight = options.Weight;
        bool perEntry = options.Reduction == Reduction.None;
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
                if (target != options.IgnoreIndex)
                {
                    int y = (int)target;
                    float value = input[(((b * classes) + y) * inner) + i];
                    loss = weight.IsEmpty ? -value : -(value * weight[y]);
                }

                if (perEntry)
                {
                    output[entry] = loss;
                }

                total += loss;
            }
        }

        if (!perEntry)
        {
            output[0] = (float)(options.Reduction == Reduction.Mean ? total / denominator : total);
        }
    }

    /// <summary>Adds -w[y] * scale (times the entry's upstream, if given) at each kept entry's target class.</summary>
    internal static void AccumulateGradient(ClassLayout layout, ReadOnlySpan<long> targets, NllLossOptions options, float scale, ReadOnlySpan<float> entryUpstream, Span<float> gradInput)
    {
        ReadOnlySpan<float> weight = options.Weight;
        int classes = layout.Classes;
        int inner = layout.Inner;
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                int entry = (b * inner) + i;
                long target = targets[entry];
                if (target == options.IgnoreIndex)
                {
                    continue;
                }

                int y = (int)target;
                float g = entryUpstream.IsEmpty ? scale : scale * entryUpstream[entry];
                gradInput[(((b * classes) + y) * inner) + i] -= weight.IsEmpty ? g : g * weight[y];
            }
        }
    }

    /// <summary>The gradient's factor per entry: upstream / denominator for mean, upstream otherwise.</summary>
    internal static float Scale(Reduction reduction, float upstream, double denominator) =>
        reduction == Reduction.Mean ? (float)(upstream / denominator) : upstream;

    internal static void Check(ClassLayout layout, ReadOnlySpan<long> targets, NllLossOptions options)
    {
        SpanArguments.RequireReduction(options.Reduction);
        SpanArguments.RequireWeight(options.Weight, layout.Classes, probabilityTargets: false);
        SpanArguments.RequireLength(targets.Length, layout.Entries, "The targets", layout);
    }
}
