using System.Runtime.Intrinsics;

namespace FastLoss.Kernels;

/// <summary>
/// The register tile (MR x NR) and the cache blocks (MC x KC of A, KC x NC of B) of <see cref="Gemm"/>.
/// A packed B sliver (KC x NR) is reused across a whole MC block of A; the packed A block (MC x KC) stays in
/// L2 while B slivers stream past it.
/// </summary>
internal readonly struct GemmTiling
{
    /// <summary>Vector512 machines: 8 x 32 tiles; B slivers of 32 KB, A blocks of 128 KB, B panels of 1 MB.</summary>
    public static readonly GemmTiling Wide = new(mr: 8, nr: 32, mc: 128, kc: 256, nc: 1024, wide: true);

    /// <summary>Vector256 machines: 6 x 16 tiles.</summary>
    public static readonly GemmTiling Narrow = new(mr: 6, nr: 16, mc: 96, kc: 256, nc: 1024, wide: false);

    private GemmTiling(int mr, int nr, int mc, int kc, int nc, bool wide)
    {
        Mr = mr;
        Nr = nr;
        Mc = mc;
        Kc = kc;
        Nc = nc;
        IsWide = wide;
    }

    public int Mr { get; }

    public int Nr { get; }

    public int Mc { get; }

    public int Kc { get; }

    public int Nc { get; }

    /// <summary>Whether the 8 x 32 Vector512 kernel is used (else the 6 x 16 Vector256 one).</summary>
    public bool IsWide { get; }

    /// <summary>Set by tests to run the Vector256 kernel on a machine that has Vector512.</summary>
    internal static bool ForceNarrow { get; set; }

    /// <summary>The tiling for this machine.</summary>
    public static GemmTiling Current => Vector512.IsHardwareAccelerated && !ForceNarrow ? Wide : Narrow;

    /// <summary>Floats of packed A one thread needs, for any tiling.</summary>
    public static int MaxPackedA => Math.Max(Wide.Mc * Wide.Kc, Narrow.Mc * Narrow.Kc);

    /// <summary>Floats of packed B one thread needs, for any tiling.</summary>
    public static int MaxPackedB => Math.Max(Wide.Kc * Wide.Nc, Narrow.Kc * Narrow.Nc);

    /// <summary>Floats of one register tile, for any tiling.</summary>
    public static int MaxTile => Math.Max(Wide.Mr * Wide.Nr, Narrow.Mr * Narrow.Nr);
}
