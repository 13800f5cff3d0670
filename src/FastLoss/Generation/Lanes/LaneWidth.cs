using System.Runtime.Intrinsics;

namespace FastLoss.Generation;

/// <summary>The vector width a kernel runs at for a given vectorized extent.</summary>
public enum LaneWidth
{
    One,
    Bits128,
    Bits256,
    Bits512,
}

/// <summary>Picks the widest accelerated vector that fits in the vectorized extent (the class count of a contiguous row, or the inner size of a strided one).</summary>
public static class LaneWidths
{
    /// <summary>
    /// The kernels finish a row with one vector that overlaps the previous one (masked where it matters), so a
    /// width is usable as soon as the extent holds one full vector.
    /// </summary>
    public static LaneWidth For(int extent)
    {
        if (Vector512.IsHardwareAccelerated && extent >= Vector512<float>.Count)
        {
            return LaneWidth.Bits512;
        }

        if (Vector256.IsHardwareAccelerated && extent >= Vector256<float>.Count)
        {
            return LaneWidth.Bits256;
        }

        if (Vector128.IsHardwareAccelerated && extent >= Vector128<float>.Count)
        {
            return LaneWidth.Bits128;
        }

        return LaneWidth.One;
    }
}
