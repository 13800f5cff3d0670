using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Cross-entropy over (N, C, d1..dk) inputs read in place: the class dimension has stride Inner, so a vector
/// holds one class at consecutive inner positions, i.e. consecutive loss entries. Each block of lanes walks the
/// classes with the same three steps as a contiguous row; per-lane values (the target's logit and weight) are
/// gathered once per block. The last block ends at the row's end and may overlap the previous one: it rewrites
/// the shared entries with the same values, and only its fresh lanes count towards the total.
/// </summary>
internal readonly struct CrossEntropyStrided<TL, TV> : IIndexTargetRows<CrossEntropyPass>, IProbabilityTargetRows<CrossEntropyPass>
    where TL : struct, IFloatLanes<TV>
    where TV : struct
{
    private const int MaxLanes = 16;

    public static double IndexTargets(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref CrossEntropyPass pass)
    {
        int classes = layout.Classes;
        int inner = layout.Inner;
        bool writeLosses = !pass.EntryLosses.IsEmpty;
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        float eps = pass.Smoothing;
        float keep = 1f - eps;
        float epsPerClass = eps / classes;
        ref float x0 = ref MemoryMarshal.GetReference(logits);
        ref float g0 = ref MemoryMarshal.GetReference(pass.Gradient);
        ref float w = ref MemoryMarshal.GetReference(pass.Weight);
        ref float up0 = ref MemoryMarshal.GetReference(pass.EntryUpstream);

        // Per-lane values gathered once per block: 1 for a kept entry (0 when ignored), x[target], w[target].
        Span<float> laneKept = stackalloc float[MaxLanes];
        Span<float> laneLogit = stackalloc float[MaxLanes];
        Span<float> laneWeight = stackalloc float[MaxLanes];
        Span<int> laneClass = stackalloc int[MaxLanes];
        ref float keptRef = ref MemoryMarshal.GetReference(laneKept);
        ref float logitRef = ref MemoryMarshal.GetReference(laneLogit);
        ref float weightRef = ref MemoryMarshal.GetReference(laneWeight);

        TV zero = TL.Broadcast(0f);
        double total = 0;
        int lastBlock = inner - TL.Count;
        for (int b = 0; b < layout.Batch; b++)
        {
            int done = 0;
            for (int i0 = 0; ; i0 = Math.Min(i0 + TL.Count, lastBlock))
            {
                int firstFresh = done - i0;
                int entry = (b * inner) + i0;
                nuint start = (nuint)(((long)b * classes * inner) + i0);

                TV max = TL.Load(ref x0, start);
                for (int c = 1; c < classes; c++)
                {
                    max = TL.Max(max, TL.Load(ref x0, start + (nuint)(c * inner)));
                }

                TV sum = zero;
                for (int c = 0; c < classes; c++)
                {
                    nuint at = start + (nuint)(c * inner);
                    TV e = TL.Exp(TL.Subtract(TL.Load(ref x0, at), max));
                    if (writeGradient)
                    {
                        TL.Store(e, ref g0, at);
                    }

                    sum = TL.Add(sum, e);
                }

                for (int lane = 0; lane < TL.Count; lane++)
                {
                    long target = targets[entry + lane];
                    if (target == pass.IgnoreIndex)
                    {
                        laneKept[lane] = 0f;
                        laneLogit[lane] = 0f;
                        laneWeight[lane] = 0f;
                        laneClass[lane] = -1;
                    }
                    else
                    {
                        int y = (int)target;
                        laneKept[lane] = 1f;
                        laneLogit[lane] = Unsafe.Add(ref x0, start + (nuint)(y * inner) + (nuint)lane);
                        laneWeight[lane] = weighted ? Unsafe.Add(ref w, y) : 1f;
                        laneClass[lane] = y;
                    }
                }

                TV kept = TL.Load(ref keptRef, 0);
                TV wy = TL.Load(ref weightRef, 0);
                TV logSum = TL.Log(sum);
                TV loss = TL.Multiply(wy, TL.Add(TL.Subtract(max, TL.Load(ref logitRef, 0)), logSum));
                if (eps > 0f)
                {
                    TV gap = zero;
                    for (int c = 0; c < classes; c++)
                    {
                        TV term = TL.Subtract(max, TL.Load(ref x0, start + (nuint)(c * inner)));
                        gap = weighted ? TL.MultiplyAdd(TL.Broadcast(Unsafe.Add(ref w, c)), term, gap) : TL.Add(gap, term);
                    }

                    TV smooth = TL.MultiplyAdd(TL.Broadcast(pass.WeightTotal), logSum, gap);
                    loss = TL.MultiplyAdd(TL.Broadcast(keep), loss, TL.Multiply(TL.Broadcast(epsPerClass), smooth));
                }

                loss = TL.SelectWherePositive(kept, loss, zero);
                if (writeLosses)
                {
                    TL.Store(loss, ref MemoryMarshal.GetReference(pass.EntryLosses), (nuint)entry);
                }

                total += TL.Sum(TL.SelectFrom(firstFresh, loss, zero));

                if (writeGradient)
                {
                    TV s = TL.Broadcast(pass.GradientScale);
                    if (!pass.EntryUpstream.IsEmpty)
                    {
                        s = TL.Multiply(s, TL.Load(ref up0, (nuint)entry));
                    }

                    s = TL.SelectWherePositive(kept, s, zero);
                    TV a = TL.MultiplyAdd(TL.Broadcast(keep), wy, TL.Broadcast(epsPerClass * pass.WeightTotal));
                    TV k = TL.Divide(TL.Multiply(s, a), sum);
                    TV shift = TL.Multiply(s, TL.Broadcast(epsPerClass));
                    for (int c = 0; c < classes; c++)
                    {
                        nuint at = start + (nuint)(c * inner);
                        TV wc = weighted ? TL.Broadcast(Unsafe.Add(ref w, c)) : TL.Broadcast(1f);
                        // Ignored lanes have s = 0: exp(x - max) * 0 / sum, torch's 0 - softmax * 0 (NaN where the softmax is).
                        TV value = TL.Subtract(TL.Multiply(TL.Load(ref g0, at), k), TL.Multiply(shift, wc));
                        TL.Store(value, ref g0, at);
                    }

                    // The target class also carries -(1 - eps) * w[y] * s.
                    for (int lane = 0; lane < TL.Count; lane++)
                    {
                        int y = laneClass[lane];
                        if (y >= 0)
                        {
                            float laneScale = pass.EntryUpstream.IsEmpty
                                ? pass.GradientScale
                                : pass.GradientScale * pass.EntryUpstream[entry + lane];
                            Unsafe.Add(ref g0, start + (nuint)(y * inner) + (nuint)lane) -= laneScale * keep * laneWeight[lane];
                        }
                    }
                }

                done = i0 + TL.Count;
                if (i0 == lastBlock)
                {
                    break;
                }
            }
        }

        return total;
    }

    public static double ProbabilityTargets(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass)
    {
        int classes = layout.Classes;
        int inner = layout.Inner;
        bool writeLosses = !pass.EntryLosses.IsEmpty;
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        TV keep = TL.Broadcast(1f - pass.Smoothing);
        TV epsPerClass = TL.Broadcast(pass.Smoothing / classes);
        ref float x0 = ref MemoryMarshal.GetReference(logits);
        ref float t0 = ref MemoryMarshal.GetReference(targets);
        ref float g0 = ref MemoryMarshal.GetReference(pass.Gradient);
        ref float w = ref MemoryMarshal.GetReference(pass.Weight);
        ref float up0 = ref MemoryMarshal.GetReference(pass.EntryUpstream);

        TV zero = TL.Broadcast(0f);
        double total = 0;
        int lastBlock = inner - TL.Count;
        for (int b = 0; b < layout.Batch; b++)
        {
            int done = 0;
            for (int i0 = 0; ; i0 = Math.Min(i0 + TL.Count, lastBlock))
            {
                int firstFresh = done - i0;
                int entry = (b * inner) + i0;
                nuint start = (nuint)(((long)b * classes * inner) + i0);

                TV max = TL.Load(ref x0, start);
                for (int c = 1; c < classes; c++)
                {
                    max = TL.Max(max, TL.Load(ref x0, start + (nuint)(c * inner)));
                }

                // q = w[c] * ((1 - eps) t + eps/C); loss = sum q * (max - x) + log(sum exp) * sum q.
                TV sum = zero;
                TV sumQ = zero;
                TV gapQ = zero;
                for (int c = 0; c < classes; c++)
                {
                    nuint at = start + (nuint)(c * inner);
                    TV xc = TL.Load(ref x0, at);
                    TV e = TL.Exp(TL.Subtract(xc, max));
                    if (writeGradient)
                    {
                        TL.Store(e, ref g0, at);
                    }

                    sum = TL.Add(sum, e);
                    TV q = TL.MultiplyAdd(TL.Load(ref t0, at), keep, epsPerClass);
                    if (weighted)
                    {
                        q = TL.Multiply(q, TL.Broadcast(Unsafe.Add(ref w, c)));
                    }

                    sumQ = TL.Add(sumQ, q);
                    gapQ = TL.MultiplyAdd(q, TL.Subtract(max, xc), gapQ);
                }

                TV loss = TL.MultiplyAdd(TL.Log(sum), sumQ, gapQ);
                if (writeLosses)
                {
                    TL.Store(loss, ref MemoryMarshal.GetReference(pass.EntryLosses), (nuint)entry);
                }

                total += TL.Sum(TL.SelectFrom(firstFresh, loss, zero));

                if (writeGradient)
                {
                    // d/dx_j = s * (sum q * p_j - q_j).
                    TV s = TL.Broadcast(pass.GradientScale);
                    if (!pass.EntryUpstream.IsEmpty)
                    {
                        s = TL.Multiply(s, TL.Load(ref up0, (nuint)entry));
                    }

                    TV k = TL.Divide(TL.Multiply(s, sumQ), sum);
                    for (int c = 0; c < classes; c++)
                    {
                        nuint at = start + (nuint)(c * inner);
                        TV q = TL.MultiplyAdd(TL.Load(ref t0, at), keep, epsPerClass);
                        if (weighted)
                        {
                            q = TL.Multiply(q, TL.Broadcast(Unsafe.Add(ref w, c)));
                        }

                        TL.Store(TL.Subtract(TL.Multiply(TL.Load(ref g0, at), k), TL.Multiply(s, q)), ref g0, at);
                    }
                }

                done = i0 + TL.Count;
                if (i0 == lastBlock)
                {
                    break;
                }
            }
        }

        return total;
    }
}
