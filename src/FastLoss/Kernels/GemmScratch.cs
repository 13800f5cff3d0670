namespace FastLoss.Kernels;

/// <summary>
/// One thread's packing buffers for <see cref="Gemm"/>, allocated once per thread on the pinned object heap
/// (so their addresses never move) and aligned to 64 bytes for the vector loads of the micro-kernels.
/// </summary>
internal sealed unsafe class GemmScratch
{
    private const int AlignmentFloats = 16;

    [ThreadStatic] private static GemmScratch? t_current;

    // Kept referenced so the pinned storage lives as long as this thread's scratch.
    private readonly float[] _storage;

    private GemmScratch()
    {
        int packedA = RoundUp(GemmTiling.MaxPackedA);
        int packedB = RoundUp(GemmTiling.MaxPackedB);
        int tile = RoundUp(GemmTiling.MaxTile);
        _storage = GC.AllocateUninitializedArray<float>(packedA + packedB + tile + AlignmentFloats, pinned: true);
        fixed (float* start = _storage)
        {
            // The array is pinned for its lifetime; the fixed block only yields its address.
            float* aligned = (float*)(((nint)start + 63) & ~(nint)63);
            PackedA = aligned;
            PackedB = aligned + packedA;
            Tile = aligned + packedA + packedB;
        }
    }

    /// <summary>This thread's buffers, created on its first product.</summary>
    public static GemmScratch Current => t_current ??= new GemmScratch();

    /// <summary>
    /// Creates this thread's buffers now, before it runs parts: which thread takes which part of a product changes
    /// from call to call, so a thread that first took one in a later step would allocate there.
    /// </summary>
    public static void Prepare() => _ = Current;

    /// <summary>An MC x KC block of op(A), in slivers of MR rows.</summary>
    public float* PackedA { get; }

    /// <summary>A KC x NC panel of op(B), in slivers of NR columns.</summary>
    public float* PackedB { get; }

    /// <summary>One MR x NR tile for edge tiles that do not fill a register tile.</summary>
    public float* Tile { get; }

    private static int RoundUp(int floats) => (floats + AlignmentFloats - 1) / AlignmentFloats * AlignmentFloats;
}
