using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>Softmax and log-softmax, forward and backward, over rows whose normalized dimension is contiguous (inner size 1).</summary>
internal static class SoftmaxContiguous
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n, bool log)
    {
        switch (LaneWidths.For(n))
        {
            case LaneWidth.Bits512:
                Forward<Lanes512, Vector512<float>>(x, y, rows, n, log);
                break;
            case LaneWidth.Bits256:
                Forward<Lanes256, Vector256<float>>(x, y, rows, n, log);
                break;
            case LaneWidth.Bits128:
                Forward<Lanes128, Vector128<float>>(x, y, rows, n, log);
                break;
            default:
                Forward<Lanes1, float>(x, y, rows, n, log);
                break;
        }
    }

    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int n, bool log, bool accumulate)
    {
        switch (LaneWidths.For(n))
        {
            case LaneWidth.Bits512:
                Backward<Lanes512, Vector512<float>>(y, dy, dx, rows, n, log, accumulate);
                break;
            case LaneWidth.Bits256:
                Backward<Lanes256, Vector256<float>>(y, dy, dx, rows, n, log, accumulate);
                break;
            case LaneWidth.Bits128:
                Backward<Lanes128, Vector128<float>>(y, dy, dx, rows, n, log, accumulate);
                break;
            default:
                Backward<Lanes1, float>(y, dy, dx, rows, n, log, accumulate);
                break;
        }
    }

    private static void Forward<TL, TV>(ReadOnlySpan<float> input, Span<float> output, int rows, int n, bool log)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        ref float x0 = ref MemoryMarshal.GetReference(input);
        ref float y0 = ref MemoryMarshal.GetReference(output);
        for (int r = 0; r < rows; r++)
        {
            ref float x = ref Unsafe.Add(ref x0, r * n);
            ref float y = ref Unsafe.Add(ref y0, r * n);
            float max = RowKernels.Max<TL, TV>(ref x, n);
            if (log)
            {
                float logSum = MathF.Log(RowKernels.SumExp<TL, TV>(ref x, n, max));
                RowKernels.ShiftTwice<TL, TV>(ref x, ref y, n, max, logSum);
            }
            else
            {
                float sum = RowKernels.StoreExpAndSum<TL, TV>(ref x, ref y, n, max);
                RowKernels.ScaleShift<TL, TV>(ref y, n, 1f / sum, 0f);
            }
        }
    }

    private static void Backward<TL, TV>(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int rows, int n, bool log, bool accumulate)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        ref float y0 = ref MemoryMarshal.GetReference(output);
        ref float dy0 = ref MemoryMarshal.GetReference(outputGradient);
        ref float dx0 = ref MemoryMarshal.GetReference(inputGradient);
        for (int r = 0; r < rows; r++)
        {
            ref float y = ref Unsafe.Add(ref y0, r * n);
            ref float dy = ref Unsafe.Add(ref dy0, r * n);
            ref float dx = ref Unsafe.Add(ref dx0, r * n);

            // softmax: dx = y * (dy - sum(dy * y)); log-softmax: dx = dy - exp(y) * sum(dy).
            TV total = TL.Broadcast(log ? RowKernels.Sum<TL, TV>(ref dy, n) : RowKernels.Dot<TL, TV>(ref dy, ref y, n));
            int last = n - TL.Count;
            int i = 0;
            for (; i < last; i += TL.Count)
            {
                TV value = Gradient<TL, TV>(TL.Load(ref y, (nuint)i), TL.Load(ref dy, (nuint)i), total, log);
                TL.Store(accumulate ? TL.Add(TL.Load(ref dx, (nuint)i), value) : value, ref dx, (nuint)i);
            }

            TV tail = Gradient<TL, TV>(TL.Load(ref y, (nuint)last), TL.Load(ref dy, (nuint)last), total, log);
            if (accumulate)
            {
                // The last vector may overlap lanes already accumulated: add only to the fresh ones.
                TV old = TL.Load(ref dx, (nuint)last);
                tail = TL.SelectFrom(i - last, TL.Add(old, tail), old);
            }

            TL.Store(tail, ref dx, (nuint)last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Gradient<TL, TV>(TV y, TV dy, TV total, bool log)
        where TL : struct, IFloatLanes<TV>
        where TV : struct =>
        log ? TL.Subtract(dy, TL.Multiply(TL.Exp(y), total)) : TL.Multiply(y, TL.Subtract(dy, total));
}
