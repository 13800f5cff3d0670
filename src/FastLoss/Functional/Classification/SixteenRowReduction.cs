using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLoss.Functional.Classification;

/// <summary>An associative, commutative lane operation for <see cref="SixteenRowReduction"/>.</summary>
internal interface ILaneReduction
{
    static abstract Vector512<float> Apply(Vector512<float> left, Vector512<float> right);
}

/// <summary>Lane-wise maximum.</summary>
internal readonly struct MaxReduction : ILaneReduction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> left, Vector512<float> right) => Vector512.MaxNative(left, right);
}

/// <summary>Lane-wise sum.</summary>
internal readonly struct AddReduction : ILaneReduction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> left, Vector512<float> right) => left + right;
}

/// <summary>
/// Reduces each of 16 vectors across its lanes at once, into one vector whose lane r holds row r's result: four
/// levels that each pair up partial results and halve their width (256-bit halves, 128-bit quarters, then pairs and
/// single lanes within quarters), 15 operations and 30 shuffles for all 16 rows where reducing each row on its own
/// takes 8 operations and 8 shuffles per row. The levels leave the rows in a fixed lane order that one permute
/// undoes.
/// </summary>
internal static class SixteenRowReduction
{
    public const int Rows = 16;

    /// <summary>For each row, the lane the levels leave its result in.</summary>
    private static readonly Vector512<int> s_rowLanes = FindRowLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Reduce<TOp>(ReadOnlySpan<Vector512<float>> rows)
        where TOp : struct, ILaneReduction =>
        Avx512F.PermuteVar16x32(Levels<TOp>(rows), s_rowLanes);

    /// <summary>Lane r of <paramref name="value"/> in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(Vector512<float> value, int lane) =>
        Avx512F.PermuteVar16x32(value, Vector512.Create(lane));

    /// <summary>The four levels; each row's result lands in the lane <see cref="s_rowLanes"/> records.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Levels<TOp>(ReadOnlySpan<Vector512<float>> rows)
        where TOp : struct, ILaneReduction
    {
        var w0 = Halves<TOp>(rows[0], rows[1]);
        var w1 = Halves<TOp>(rows[2], rows[3]);
        var w2 = Halves<TOp>(rows[4], rows[5]);
        var w3 = Halves<TOp>(rows[6], rows[7]);
        var w4 = Halves<TOp>(rows[8], rows[9]);
        var w5 = Halves<TOp>(rows[10], rows[11]);
        var w6 = Halves<TOp>(rows[12], rows[13]);
        var w7 = Halves<TOp>(rows[14], rows[15]);
        var x0 = Quarters<TOp>(w0, w1);
        var x1 = Quarters<TOp>(w2, w3);
        var x2 = Quarters<TOp>(w4, w5);
        var x3 = Quarters<TOp>(w6, w7);
        var y0 = Pairs<TOp>(x0, x1);
        var y1 = Pairs<TOp>(x2, x3);
        return Pairs<TOp>(y0, y1);
    }

    /// <summary>a's and b's 16 lanes to 8 partials each: lanes 0-7 for a, 8-15 for b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Halves<TOp>(Vector512<float> a, Vector512<float> b)
        where TOp : struct, ILaneReduction =>
        TOp.Apply(Avx512F.Shuffle4x128(a, b, 0b01_00_01_00), Avx512F.Shuffle4x128(a, b, 0b11_10_11_10));

    /// <summary>Two vectors of two rows' 8 partials to one of four rows' 4 partials, a row per 128-bit quarter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quarters<TOp>(Vector512<float> a, Vector512<float> b)
        where TOp : struct, ILaneReduction =>
        TOp.Apply(Avx512F.Shuffle4x128(a, b, 0b10_00_10_00), Avx512F.Shuffle4x128(a, b, 0b11_01_11_01));

    /// <summary>Within each 128-bit quarter: lanes 0 and 1 with 2 and 3, pairing a's with b's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pairs<TOp>(Vector512<float> a, Vector512<float> b)
        where TOp : struct, ILaneReduction =>
        TOp.Apply(Avx512F.Shuffle(a, b, 0b10_00_10_00), Avx512F.Shuffle(a, b, 0b11_01_11_01));

    /// <summary>Runs the levels on rows filled with their own index and reads where each index ends up.</summary>
    private static Vector512<int> FindRowLanes()
    {
        if (!Avx512F.IsSupported)
        {
            return Vector512<int>.Indices;
        }

        Span<Vector512<float>> rows = stackalloc Vector512<float>[Rows];
        for (int r = 0; r < Rows; r++)
        {
            rows[r] = Vector512.Create((float)r);
        }

        var order = Levels<MaxReduction>(rows);
        Span<int> lanes = stackalloc int[Rows];
        for (int lane = 0; lane < Rows; lane++)
        {
            lanes[(int)order[lane]] = lane;
        }

        return Vector512.Create<int>(lanes);
    }
}
