using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Cross-entropy over rows whose classes are contiguous (inner size 1), vectorized across the classes. Per row:
/// the max, then exp(x - max) (stored into the gradient row when one is wanted) and its sum, then the loss from
/// max - x and log(sum) (no cancellation for large logits), then the gradient scaled in place:
/// g = s * (A * softmax - D) with a per-row A and a per-class D, as derived in <see cref="CrossEntropy"/>.
/// </summary>
internal readonly struct CrossEntropyContiguous<TL, TV> : IIndexTargetRows<CrossEntropyPass>, IProbabilityTargetRows<CrossEntropyPass>
    where TL : struct, IFloatLanes<TV>
    where TV : struct
{
    public static double IndexTargets(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref CrossEntropyPass pass)
    {
        int batch = layout.Batch;
        int classes = layout.Classes;
        if (SmallClassRows.Applies(classes))
        {
            return SmallClassRows.IndexTargets(logits, batch, classes, targets, ref pass);
        }

        return CrossEntropyRowRuns<TL, TV>.Applies(batch, classes)
            ? CrossEntropyRowRuns<TL, TV>.IndexTargets(logits, batch, classes, targets, ref pass)
            : IndexRows(logits, batch, classes, targets, ref pass);
    }

    /// <summary>Class-index targets, row after row on the calling thread.</summary>
    [SkipLocalsInit]
    internal static double IndexRows(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<long> targets, scoped ref CrossEntropyPass pass)
    {
        bool writeLosses = !pass.EntryLosses.IsEmpty;
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        bool perEntryUpstream = !pass.EntryUpstream.IsEmpty;
        float eps = pass.Smoothing;
        float keep = 1f - eps;
        float epsPerClass = eps / classes;
        ref float x0 = ref MemoryMarshal.GetReference(logits);
        ref float g0 = ref MemoryMarshal.GetReference(pass.Gradient);
        ref float w = ref MemoryMarshal.GetReference(pass.Weight);
        bool stream = writeGradient && pass.StreamGradient && StreamedGradientRows.FitsRow(classes);
        Span<float> scratch = stream ? stackalloc float[StreamedGradientRows.MaxClasses] : default;
        ref float e = ref MemoryMarshal.GetReference(scratch);
        double total = 0;

        for (int n = 0; n < batch; n++)
        {
            long target = targets[n];
            int offset = n * classes;
            if (target == pass.IgnoreIndex)
            {
                if (writeLosses)
                {
                    pass.EntryLosses[n] = 0f;
                }

                if (writeGradient)
                {
                    IgnoredRowGradient(ref Unsafe.Add(ref x0, offset), pass.Gradient.Slice(offset, classes), classes);
                }

                continue;
            }

            int y = (int)target;
            ref float x = ref Unsafe.Add(ref x0, offset);
            ref float g = ref Unsafe.Add(ref g0, offset);
            float wy = weighted ? Unsafe.Add(ref w, y) : 1f;

            float max = RowKernels.Max<TL, TV>(ref x, classes);
            float sumExp = stream ? RowKernels.StoreExpAndSum<TL, TV>(ref x, ref e, classes, max)
                : writeGradient ? RowKernels.StoreExpAndSum<TL, TV>(ref x, ref g, classes, max)
                : RowKernels.SumExp<TL, TV>(ref x, classes, max);
            float logSum = MathF.Log(sumExp);

            // -w[y] * log_softmax(x)[y] = w[y] * ((max - x[y]) + log(sum)).
            float loss = wy * ((max - Unsafe.Add(ref x, y)) + logSum);
            if (eps > 0f)
            {
                // -sum_c w[c] * log_softmax(x)[c] = sum_c w[c] * (max - x[c]) + W * log(sum).
                float gap = weighted
                    ? RowKernels.WeightedGap<TL, TV>(ref x, ref w, classes, max)
                    : RowKernels.Gap<TL, TV>(ref x, classes, max);
                loss = (keep * loss) + (epsPerClass * (gap + (pass.WeightTotal * logSum)));
            }

            if (writeLosses)
            {
                pass.EntryLosses[n] = loss;
            }

            total += loss;

            if (writeGradient)
            {
                // d/dx_j = s * [((1 - eps) w[y] + eps/C * W) * p_j - eps/C * w[j] - (1 - eps) w[y] * [j == y]].
                float s = perEntryUpstream ? pass.GradientScale * pass.EntryUpstream[n] : pass.GradientScale;
                float k = s * ((keep * wy) + (epsPerClass * pass.WeightTotal)) / sumExp;
                float b = s * epsPerClass;
                if (stream)
                {
                    StreamedGradientRows.IndexRow(ref e, ref g, classes, k, b, ref w, weighted && eps > 0f, y, s * keep * wy);
                    continue;
                }

                if (weighted && eps > 0f)
                {
                    RowKernels.ScaleShiftWeighted<TL, TV>(ref g, ref w, classes, k, b);
                }
                else
                {
                    RowKernels.ScaleShift<TL, TV>(ref g, classes, k, b);
                }

                Unsafe.Add(ref g, y) -= s * keep * wy;
            }
        }

        if (stream)
        {
            StreamedGradientRows.Finish();
        }

        return total;
    }

    public static double ProbabilityTargets(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass)
    {
        int batch = layout.Batch;
        int classes = layout.Classes;
        if (SmallClassRows.Applies(classes))
        {
            return SmallClassRows.ProbabilityTargets(logits, batch, classes, targets, ref pass);
        }

        return CrossEntropyRowRuns<TL, TV>.Applies(batch, classes)
            ? CrossEntropyRowRuns<TL, TV>.ProbabilityTargets(logits, batch, classes, targets, ref pass)
            : ProbabilityRows(logits, batch, classes, targets, ref pass);
    }

    /// <summary>Class-probability targets, row after row on the calling thread.</summary>
    [SkipLocalsInit]
    internal static double ProbabilityRows(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass)
    {
        bool writeLosses = !pass.EntryLosses.IsEmpty;
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        bool perEntryUpstream = !pass.EntryUpstream.IsEmpty;
        float keep = 1f - pass.Smoothing;
        float epsPerClass = pass.Smoothing / classes;
        ref float x0 = ref MemoryMarshal.GetReference(logits);
        ref float t0 = ref MemoryMarshal.GetReference(targets);
        ref float g0 = ref MemoryMarshal.GetReference(pass.Gradient);
        ref float w = ref MemoryMarshal.GetReference(pass.Weight);
        bool stream = writeGradient && pass.StreamGradient && StreamedGradientRows.FitsRow(classes);
        Span<float> scratch = stream ? stackalloc float[StreamedGradientRows.MaxClasses] : default;
        ref float e = ref MemoryMarshal.GetReference(scratch);
        double total = 0;

        for (int n = 0; n < batch; n++)
        {
            int offset = n * classes;
            ref float x = ref Unsafe.Add(ref x0, offset);
            ref float t = ref Unsafe.Add(ref t0, offset);
            ref float g = ref Unsafe.Add(ref g0, offset);

            float max = RowKernels.Max<TL, TV>(ref x, classes);
            float sumExp = stream ? RowKernels.StoreExpAndSum<TL, TV>(ref x, ref e, classes, max)
                : writeGradient ? RowKernels.StoreExpAndSum<TL, TV>(ref x, ref g, classes, max)
                : RowKernels.SumExp<TL, TV>(ref x, classes, max);
            float logSum = MathF.Log(sumExp);

            // With q = w * ((1 - eps) t + eps/C): loss = -sum q * log_softmax(x) = sum q * (max - x) + log(sum) * sum q.
            ProbabilitySums(ref x, ref t, ref w, weighted, classes, max, keep, epsPerClass, out float sumQ, out float gapQ);
            float loss = gapQ + (logSum * sumQ);

            if (writeLosses)
            {
                pass.EntryLosses[n] = loss;
            }

            total += loss;

            if (writeGradient)
            {
                // d/dx_j = s * (sum q * p_j - q_j).
                float s = perEntryUpstream ? pass.GradientScale * pass.EntryUpstream[n] : pass.GradientScale;
                if (stream)
                {
                    StreamedGradientRows.ProbabilityRow(ref e, ref t, ref g, classes, s * sumQ / sumExp, s, ref w, weighted, keep, epsPerClass);
                }
                else
                {
                    ProbabilityGradient(ref g, ref t, ref w, weighted, classes, s * sumQ / sumExp, s, keep, epsPerClass);
                }
            }
        }

        if (stream)
        {
            StreamedGradientRows.Finish();
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV SmoothedWeight(ref float t, ref float w, bool weighted, nuint i, TV keep, TV epsPerClass)
    {
        TV q = TL.MultiplyAdd(TL.Load(ref t, i), keep, epsPerClass);
        return weighted ? TL.Multiply(q, TL.Load(ref w, i)) : q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ProbabilitySums(
        ref float x, ref float t, ref float w, bool weighted, int n, float max, float keep, float epsPerClass, out float sumQ, out float gapQ)
    {
        TV top = TL.Broadcast(max);
        TV keepV = TL.Broadcast(keep);
        TV epsV = TL.Broadcast(epsPerClass);
        TV sum = TL.Broadcast(0f);
        TV gap = TL.Broadcast(0f);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            TV q = SmoothedWeight(ref t, ref w, weighted, (nuint)i, keepV, epsV);
            sum = TL.Add(sum, q);
            gap = TL.MultiplyAdd(q, TL.Subtract(top, TL.Load(ref x, (nuint)i)), gap);
        }

        TV zero = TL.Broadcast(0f);
        TV qTail = TL.SelectFrom(i - last, SmoothedWeight(ref t, ref w, weighted, (nuint)last, keepV, epsV), zero);
        sum = TL.Add(sum, qTail);
        gap = TL.MultiplyAdd(qTail, TL.Subtract(top, TL.Load(ref x, (nuint)last)), gap);
        sumQ = TL.Sum(sum);
        gapQ = TL.Sum(gap);
    }

    /// <summary>g = g * k - s * q, in place (g holds exp(x - max)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ProbabilityGradient(
        ref float g, ref float t, ref float w, bool weighted, int n, float k, float s, float keep, float epsPerClass)
    {
        TV scale = TL.Broadcast(k);
        TV entryScale = TL.Broadcast(s);
        TV keepV = TL.Broadcast(keep);
        TV epsV = TL.Broadcast(epsPerClass);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            TV q = SmoothedWeight(ref t, ref w, weighted, (nuint)i, keepV, epsV);
            TL.Store(TL.Subtract(TL.Multiply(TL.Load(ref g, (nuint)i), scale), TL.Multiply(entryScale, q)), ref g, (nuint)i);
        }

        TV old = TL.Load(ref g, (nuint)last);
        TV qLast = SmoothedWeight(ref t, ref w, weighted, (nuint)last, keepV, epsV);
        TV fresh = TL.Subtract(TL.Multiply(old, scale), TL.Multiply(entryScale, qLast));
        TL.Store(TL.SelectFrom(i - last, fresh, old), ref g, (nuint)last);
    }

    /// <summary>
    /// An ignored entry's gradient as torch's log_softmax backward gives it, 0 - softmax * 0: zeros, or NaN across
    /// the row where its softmax is NaN (a NaN or +inf logit, or every logit -inf).
    /// </summary>
    private static void IgnoredRowGradient(ref float x, Span<float> gradient, int classes)
    {
        float max = RowKernels.Max<TL, TV>(ref x, classes);
        float sumExp = RowKernels.SumExp<TL, TV>(ref x, classes, max);
        if (float.IsFinite(max) && float.IsFinite(sumExp))
        {
            gradient.Clear();
        }
        else
        {
            gradient.Fill(float.NaN);
        }
    }
}
