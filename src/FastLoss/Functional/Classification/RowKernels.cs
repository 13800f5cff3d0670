using System.Runtime.CompilerServices;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Reductions and updates over one contiguous row of <c>n</c> floats, n at least one vector. Each loop walks
/// whole vectors and finishes with one vector ending at the row's end; that last vector may overlap lanes
/// already done, so sums keep only its fresh lanes and in-place updates keep the old value in the others.
/// </summary>
internal static class RowKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max<TL, TV>(ref float x, int n)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        // max is idempotent: the overlapping last vector can start the accumulator.
        int last = n - TL.Count;
        TV acc = TL.Load(ref x, (nuint)last);
        for (int i = 0; i < last; i += TL.Count)
        {
            acc = TL.Max(acc, TL.Load(ref x, (nuint)i));
        }

        return TL.MaxAcross(acc);
    }

    /// <summary>The sum of exp(x - max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SumExp<TL, TV>(ref float x, int n, float max)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV shift = TL.Broadcast(max);
        TV acc = TL.Broadcast(0f);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            acc = TL.Add(acc, TL.Exp(TL.Subtract(TL.Load(ref x, (nuint)i), shift)));
        }

        TV tail = TL.Exp(TL.Subtract(TL.Load(ref x, (nuint)last), shift));
        acc = TL.Add(acc, TL.SelectFrom(i - last, tail, TL.Broadcast(0f)));
        return TL.Sum(acc);
    }

    /// <summary>Writes e = exp(x - max) into <paramref name="e"/> and returns the sum of e.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float StoreExpAndSum<TL, TV>(ref float x, ref float e, int n, float max)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV shift = TL.Broadcast(max);
        TV acc = TL.Broadcast(0f);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            TV value = TL.Exp(TL.Subtract(TL.Load(ref x, (nuint)i), shift));
            TL.Store(value, ref e, (nuint)i);
            acc = TL.Add(acc, value);
        }

        TV tail = TL.Exp(TL.Subtract(TL.Load(ref x, (nuint)last), shift));
        TL.Store(tail, ref e, (nuint)last);
        acc = TL.Add(acc, TL.SelectFrom(i - last, tail, TL.Broadcast(0f)));
        return TL.Sum(acc);
    }

    /// <summary>The sum of (max - x): every term is non-negative, so large logits do not cancel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Gap<TL, TV>(ref float x, int n, float max)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV top = TL.Broadcast(max);
        TV acc = TL.Broadcast(0f);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            acc = TL.Add(acc, TL.Subtract(top, TL.Load(ref x, (nuint)i)));
        }

        TV tail = TL.Subtract(top, TL.Load(ref x, (nuint)last));
        acc = TL.Add(acc, TL.SelectFrom(i - last, tail, TL.Broadcast(0f)));
        return TL.Sum(acc);
    }

    /// <summary>The sum of w * (max - x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WeightedGap<TL, TV>(ref float x, ref float w, int n, float max)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV top = TL.Broadcast(max);
        TV acc = TL.Broadcast(0f);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            acc = TL.MultiplyAdd(TL.Load(ref w, (nuint)i), TL.Subtract(top, TL.Load(ref x, (nuint)i)), acc);
        }

        TV tail = TL.Multiply(TL.Load(ref w, (nuint)last), TL.Subtract(top, TL.Load(ref x, (nuint)last)));
        acc = TL.Add(acc, TL.SelectFrom(i - last, tail, TL.Broadcast(0f)));
        return TL.Sum(acc);
    }

    /// <summary>g = g * k - b, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleShift<TL, TV>(ref float g, int n, float k, float b)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV scale = TL.Broadcast(k);
        TV shift = TL.Broadcast(b);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            TL.Store(TL.Subtract(TL.Multiply(TL.Load(ref g, (nuint)i), scale), shift), ref g, (nuint)i);
        }

        TV old = TL.Load(ref g, (nuint)last);
        TL.Store(TL.SelectFrom(i - last, TL.Subtract(TL.Multiply(old, scale), shift), old), ref g, (nuint)last);
    }

    /// <summary>g = g * k - b * w, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleShiftWeighted<TL, TV>(ref float g, ref float w, int n, float k, float b)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV scale = TL.Broadcast(k);
        TV shift = TL.Broadcast(b);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            TV value = TL.Subtract(TL.Multiply(TL.Load(ref g, (nuint)i), scale), TL.Multiply(shift, TL.Load(ref w, (nuint)i)));
            TL.Store(value, ref g, (nuint)i);
        }

        TV old = TL.Load(ref g, (nuint)last);
        TV fresh = TL.Subtract(TL.Multiply(old, scale), TL.Multiply(shift, TL.Load(ref w, (nuint)last)));
        TL.Store(TL.SelectFrom(i - last, fresh, old), ref g, (nuint)last);
    }

    /// <summary>y = (x - max) - logSum: log-softmax from the row's max and log of the sum of exponentials.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ShiftTwice<TL, TV>(ref float x, ref float y, int n, float max, float logSum)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV top = TL.Broadcast(max);
        TV log = TL.Broadcast(logSum);
        int last = n - TL.Count;
        for (int i = 0; i < last; i += TL.Count)
        {
            TL.Store(TL.Subtract(TL.Subtract(TL.Load(ref x, (nuint)i), top), log), ref y, (nuint)i);
        }

        // A plain write from the input: recomputing overlapped lanes gives the same values.
        TL.Store(TL.Subtract(TL.Subtract(TL.Load(ref x, (nuint)last), top), log), ref y, (nuint)last);
    }

    /// <summary>The sum of a * b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot<TL, TV>(ref float a, ref float b, int n)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV acc = TL.Broadcast(0f);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            acc = TL.MultiplyAdd(TL.Load(ref a, (nuint)i), TL.Load(ref b, (nuint)i), acc);
        }

        TV tail = TL.Multiply(TL.Load(ref a, (nuint)last), TL.Load(ref b, (nuint)last));
        acc = TL.Add(acc, TL.SelectFrom(i - last, tail, TL.Broadcast(0f)));
        return TL.Sum(acc);
    }

    /// <summary>The sum of a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TL, TV>(ref float a, int n)
        where TL : struct, IFloatLanes<TV>
        where TV : struct
    {
        TV acc = TL.Broadcast(0f);
        int last = n - TL.Count;
        int i = 0;
        for (; i < last; i += TL.Count)
        {
            acc = TL.Add(acc, TL.Load(ref a, (nuint)i));
        }

        acc = TL.Add(acc, TL.SelectFrom(i - last, TL.Load(ref a, (nuint)last), TL.Broadcast(0f)));
        return TL.Sum(acc);
    }
}
