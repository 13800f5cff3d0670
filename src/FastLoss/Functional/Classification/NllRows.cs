using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// The NLL kernels, for every class layout: each entry reads (forward) or writes (backward) the one element at its
/// target class, <c>(b * Classes + y) * Inner + i</c>, so there is nothing to vectorize over the classes.
/// </summary>
internal readonly struct NllRows : IIndexTargetRows<NllPass>, IIndexTargetGradientRows<NllPass>
{
    /// <summary>-w[y] * input[y] per entry, written to the pass's entry losses when given; returns their sum.</summary>
    public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass)
    {
        ReadOnlySpan<float> weight = pass.Weight;
        long ignoreIndex = pass.IgnoreIndex;
        Span<float> entryLosses = pass.EntryLosses;
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

        return total;
    }

    /// <summary>Adds -w[y] * scale (times the entry's upstream, if given) at each kept entry's target class.</summary>
    public static void IndexTargetsGradient(ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass)
    {
        ReadOnlySpan<float> weight = pass.Weight;
        ReadOnlySpan<float> entryUpstream = pass.EntryUpstream;
        Span<float> inputGrad = pass.Gradient;
        long ignoreIndex = pass.IgnoreIndex;
        float scale = pass.GradientScale;
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
}
