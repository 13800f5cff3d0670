using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Softmax and log-softmax, forward and backward, over a dimension with stride Inner (e.g. the channels of an
/// NCHW tensor), vectorized across consecutive inner positions. The last block of a row ends at the row's end and
/// may overlap the previous block; plain writes recompute the same values there, accumulation adds only to fresh lanes.
/// </summary>
internal static class SoftmaxStrided
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, ClassLayout layout, bool log)
    {
        switch (LaneWidths.For(layout.Inner))
        {
            case LaneWidth.Bits512:
                Forward<Lanes512, Vector512<float>>(x, y, layout, log);
                break;
            case LaneWidth.Bits256:
                Forward<Lanes256, Vector256<float>>(x, y, layout, log);
                break;
            case LaneWidth.Bits128:
                Forward<Lanes128, Vector128<float>>(x, y, layout, log);
                break;
            default:
                Forward<Lanes1, float>(x, y, layout, log);
                break;
        }
    }

    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, ClassLayout layout, bool log, bool accumulate)
    {
        switch (LaneWidths.For(layout.Inner))
        {
            case LaneWidth.Bits512:
                Backward<Lanes512, Vector512<float>>(y, dy, dx, layout, log, accumulate);
                break;
            case LaneWidth.Bits256:
                Backward<Lanes256, Vector256<float>>(y, dy, dx, layout, log, accumulate);
                break;
            case LaneWidth.Bits128:
                Backward<Lanes128, Vector128<float>>(y, dy, dx, layout, log, accumulate);
                break;
            default:
                Backward<Lanes1, float>(y, dy, dx, layout, log, accumulate);
                break;
        }
    }

    private static void Forward<TL, TV>(ReadOnlySpan<float> input, Span<float> output, ClassLayout layout, bool log)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        int classes = layout.Classes;
        int inner = layout.Inner;
        ref float x0 = ref MemoryMarshal.GetReference(input);
        ref float y0 = ref MemoryMarshal.GetReference(output);
        int lastBlock = inner - TL.Count;
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i0 = 0; ; i0 = Math.Min(i0 + TL.Count, lastBlock))
            {
                nuint start = (nuint)(((long)b * classes * inner) + i0);
                TV max = TL.Load(ref x0, start);
                for (int c = 1; c < classes; c++)
                {
                    max = TL.Max(max, TL.Load(ref x0, start + (nuint)(c * inner)));
                }

                TV sum = TL.Broadcast(0f);
                for (int c = 0; c < classes; c++)
                {
                    nuint at = start + (nuint)(c * inner);
                    TV e = TL.Exp(TL.Subtract(TL.Load(ref x0, at), max));
                    if (!log)
                    {
                        TL.Store(e, ref y0, at);
                    }

                    sum = TL.Add(sum, e);
                }

                if (log)
                {
                    TV logSum = TL.Log(sum);
                    for (int c = 0; c < classes; c++)
                    {
                        nuint at = start + (nuint)(c * inner);
                        TL.Store(TL.Subtract(TL.Subtract(TL.Load(ref x0, at), max), logSum), ref y0, at);
                    }
                }
                else
                {
                    TV reciprocal = TL.Divide(TL.Broadcast(1f), sum);
                    for (int c = 0; c < classes; c++)
                    {
                        nuint at = start + (nuint)(c * inner);
                        TL.Store(TL.Multiply(TL.Load(ref y0, at), reciprocal), ref y0, at);
                    }
                }

                if (i0 == lastBlock)
                {
                    break;
                }
            }
        }
    }

    private static void Backward<TL, TV>(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, ClassLayout layout, bool log, bool accumulate)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        int classes = layout.Classes;
        int inner = layout.Inner;
        ref float y0 = ref MemoryMarshal.GetReference(output);
        ref float dy0 = ref MemoryMarshal.GetReference(outputGradient);
        ref float dx0 = ref MemoryMarshal.GetReference(inputGradient);
        int lastBlock = inner - TL.Count;
        for (int b = 0; b < layout.Batch; b++)
        {
            int done = 0;
            for (int i0 = 0; ; i0 = Math.Min(i0 + TL.Count, lastBlock))
            {
                int firstFresh = done - i0;
                nuint start = (nuint)(((long)b * classes * inner) + i0);
                TV total = TL.Broadcast(0f);
                for (int c = 0; c < classes; c++)
                {
                    nuint at = start + (nuint)(c * inner);
                    total = log
                        ? TL.Add(total, TL.Load(ref dy0, at))
                        : TL.MultiplyAdd(TL.Load(ref dy0, at), TL.Load(ref y0, at), total);
                }

                for (int c = 0; c < classes; c++)
                {
                    nuint at = start + (nuint)(c * inner);
                    TV value = SoftmaxContiguous.Gradient<TL, TV>(TL.Load(ref y0, at), TL.Load(ref dy0, at), total, log);
                    if (accumulate)
                    {
                        TV old = TL.Load(ref dx0, at);
                        value = TL.SelectFrom(firstFresh, TL.Add(old, value), old);
                    }

                    TL.Store(value, ref dx0, at);
                }

                done = i0 + TL.Count;
                if (i0 == lastBlock)
                {
                    break;
                }
            }
        }
    }
}
