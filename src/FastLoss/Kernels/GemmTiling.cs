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
    public static readonly GemmTiling Wide = new(GemmKernel.Wide, mr: 8, nr: 32, mc: 128, kc: 256, nc: 1024);

    /// <summary>Vector256 machines: 6 x 16 tiles.</summary>
    public static readonly GemmTiling Narrow = new(GemmKernel.Narrow, mr: 6, nr: 16, mc: 96, kc: 256, nc: 1024);

    /// <summary>Vector128 machines (SSE, or AVX without AVX2): 6 x 8 tiles, the 256-bit tile at half the width.</summary>
    public static readonly GemmTiling Compact = new(GemmKernel.Compact, mr: 6, nr: 8, mc: 96, kc: 256, nc: 1024);

    /// <summary>No accelerated vectors: 4 x 4 tiles of scalar accumulators.</summary>
    public static readonly GemmTiling Scalar = new(GemmKernel.Scalar, mr: 4, nr: 4, mc: 64, kc: 256, nc: 512);

    private GemmTiling(GemmKernel kernel, int mr, int nr, int mc, int kc, int nc)
    {
        Kernel = kernel;
        Mr = mr;
        Nr = nr;
        Mc = mc;
        Kc = kc;
        Nc = nc;
    }

    /// <summary>The micro-kernel that computes one MR x NR tile.</summary>
    public GemmKernel Kernel { get; }

    public int Mr { get; }

    public int Nr { get; }

    public int Mc { get; }

    public int Kc { get; }

    public int Nc { get; }

    /// <summary>Whether the 8 x 32 Vector512 kernel is used, which alone reads tabled rows in place.</summary>
    public bool IsWide => Kernel == GemmKernel.Wide;

    /// <summary>Set by tests to run at most the Vector256 kernel on a machine that has Vector512.</summary>
    internal static bool ForceNarrow { get; set; }

    /// <summary>
    /// The tiling for this machine: the widest kernel whose vectors the hardware accelerates (a vector type that
    /// is not accelerated runs in software, many times slower than scalar code).
    /// </summary>
    public static GemmTiling Current =>
        Vector512.IsHardwareAccelerated && !ForceNarrow ? Wide
        : Vector256.IsHardwareAccelerated && HardwareFma.IsFused ? Narrow
        : Vector128.IsHardwareAccelerated ? Compact
        : Scalar;

    /// <summary>Floats of packed A one thread needs, for any tiling.</summary>
    public static int MaxPackedA => Math.Max(Wide.Mc * Wide.Kc, Math.Max(Narrow.Mc * Narrow.Kc, Math.Max(Compact.Mc * Compact.Kc, Scalar.Mc * Scalar.Kc)));

    /// <summary>Floats of packed B one thread needs, for any tiling.</summary>
    public static int MaxPackedB => Math.Max(Wide.Kc * Wide.Nc, Math.Max(Narrow.Kc * Narrow.Nc, Math.Max(Compact.Kc * Compact.Nc, Scalar.Kc * Scalar.Nc)));

    /// <summary>Floats of one register tile, for any tiling.</summary>
    public static int MaxTile => Math.Max(Wide.Mr * Wide.Nr, Math.Max(Narrow.Mr * Narrow.Nr, Math.Max(Compact.Mr * Compact.Nr, Scalar.Mr * Scalar.Nr)));
}
