using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// The register-blocked inner kernels of <see cref="Gemm"/>: each computes one MR x NR tile of C from a packed
/// A sliver (kc x MR, column by column) and a packed B sliver (kc x NR, row by row), keeping the whole tile in
/// vector registers across k. Every C element is a multiply-add chain over k in order, whatever tile or thread
/// computes it, so results do not depend on how the work is split. The chain is fused wherever the hardware has
/// FMA (always with Vector512 and Vector256); the 128-bit and scalar kernels, which also serve machines without
/// it, round the product and the sum separately there rather than run a software FMA.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>
    /// 8 x 32 with Vector512: 16 accumulators, 2 B vectors and 1 broadcast A value (19 of 32 registers);
    /// 16 FMAs per 10 loads keeps the FMA pipes busy.
    /// </summary>
    [HotPath]
    public static void Kernel8x32(int kc, float* a, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel8x32(kc, new PackedColumns8(a), new PackedSliver(b), c, ldc, accumulate);

    /// <summary>
    /// <see cref="Kernel8x32(int, float*, float*, float*, nint, bool)"/> reading B's kc rows where a row table puts
    /// them (row p at <paramref name="b"/> + <paramref name="rows"/>[p]) instead of from a packed sliver: for a
    /// B whose rows are already laid out (tap rows), packing would only copy them.
    /// </summary>
    [HotPath]
    public static void Kernel8x32(int kc, float* a, float* b, int* rows, float* c, nint ldc, bool accumulate) =>
        Kernel8x32(kc, new PackedColumns8(a), new TabledRows(b, rows), c, ldc, accumulate);

    /// <summary>
    /// <see cref="Kernel8x32(int, float*, float*, float*, nint, bool)"/> reading the 8 rows of A in place, from
    /// column <paramref name="column"/> on (row i at <paramref name="a"/> + <paramref name="rows"/>[i]): each k
    /// broadcasts one value of each row, which is as cheap from 8 rows as from a packed sliver.
    /// </summary>
    [HotPath]
    public static void Kernel8x32(int kc, float* a, int* rows, int column, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel8x32(kc, new TabledColumns(a + column, rows), new PackedSliver(b), c, ldc, accumulate);

    /// <summary>
    /// <see cref="Kernel8x32(int, float*, float*, float*, nint, bool)"/> reading the 8 rows of A in place, row i at
    /// <paramref name="a"/> + i x <paramref name="rowStride"/> (Winograd's transformed tiles, channel-last).
    /// </summary>
    [HotPath]
    public static void Kernel8x32(int kc, float* a, nint rowStride, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel8x32(kc, new StridedColumns(a, rowStride), new PackedSliver(b), c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [HotPath]
    private static void Kernel8x32<TColumns, TRows>(int kc, TColumns a, TRows b, float* c, nint ldc, bool accumulate)
        where TColumns : struct, ISliverColumns
        where TRows : struct, ISliverRows
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            float* row = b.Row(p);
            Vector512<float> b0 = Vector512.Load(row);
            Vector512<float> b1 = Vector512.Load(row + 16);
            Vector512<float> ai = Vector512.Create(a.At(p, 0));
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a.At(p, 1));
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a.At(p, 2));
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a.At(p, 3));
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a.At(p, 4));
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a.At(p, 5));
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a.At(p, 6));
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a.At(p, 7));
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
        }

        Store512(c, c00, c01, accumulate);
        Store512(c + ldc, c10, c11, accumulate);
        Store512(c + (2 * ldc), c20, c21, accumulate);
        Store512(c + (3 * ldc), c30, c31, accumulate);
        Store512(c + (4 * ldc), c40, c41, accumulate);
        Store512(c + (5 * ldc), c50, c51, accumulate);
        Store512(c + (6 * ldc), c60, c61, accumulate);
        Store512(c + (7 * ldc), c70, c71, accumulate);
    }

    /// <summary>
    /// 6 x 16 with Vector256 for machines without fast 512-bit vectors: 12 accumulators, 2 B vectors and
    /// 1 broadcast (15 of 16 registers).
    /// </summary>
    [HotPath]
    public static void Kernel6x16(int kc, float* a, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel6x16(kc, new PackedColumns6(a), b, c, ldc, accumulate);

    /// <summary>
    /// <see cref="Kernel6x16(int, float*, float*, float*, nint, bool)"/> reading the 6 rows of A in place, row i at
    /// <paramref name="a"/> + i x <paramref name="rowStride"/>.
    /// </summary>
    [HotPath]
    public static void Kernel6x16(int kc, float* a, nint rowStride, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel6x16(kc, new StridedColumns(a, rowStride), b, c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [HotPath]
    private static void Kernel6x16<TColumns>(int kc, TColumns a, float* b, float* c, nint ldc, bool accumulate)
        where TColumns : struct, ISliverColumns
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> ai = Vector256.Create(a.At(p, 0));
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a.At(p, 1));
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a.At(p, 2));
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a.At(p, 3));
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a.At(p, 4));
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a.At(p, 5));
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
            b += 16;
        }

        Store256(c, c00, c01, accumulate);
        Store256(c + ldc, c10, c11, accumulate);
        Store256(c + (2 * ldc), c20, c21, accumulate);
        Store256(c + (3 * ldc), c30, c31, accumulate);
        Store256(c + (4 * ldc), c40, c41, accumulate);
        Store256(c + (5 * ldc), c50, c51, accumulate);
    }

    /// <summary>
    /// 6 x 8 with Vector128, for machines whose 256-bit vectors are not accelerated: the 256-bit tile at half the
    /// width, 12 accumulators, 2 B vectors and 1 broadcast (15 of 16 registers).
    /// </summary>
    [HotPath]
    public static void Kernel6x8(int kc, float* a, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel6x8(kc, new PackedColumns6(a), b, c, ldc, accumulate);

    /// <summary>
    /// <see cref="Kernel6x8(int, float*, float*, float*, nint, bool)"/> reading the 6 rows of A in place, row i at
    /// <paramref name="a"/> + i x <paramref name="rowStride"/>.
    /// </summary>
    [HotPath]
    public static void Kernel6x8(int kc, float* a, nint rowStride, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel6x8(kc, new StridedColumns(a, rowStride), b, c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [HotPath]
    private static void Kernel6x8<TColumns>(int kc, TColumns a, float* b, float* c, nint ldc, bool accumulate)
        where TColumns : struct, ISliverColumns
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector128<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> ai = Vector128.Create(a.At(p, 0));
            c00 = HardwareFma.MultiplyAdd(ai, b0, c00);
            c01 = HardwareFma.MultiplyAdd(ai, b1, c01);
            ai = Vector128.Create(a.At(p, 1));
            c10 = HardwareFma.MultiplyAdd(ai, b0, c10);
            c11 = HardwareFma.MultiplyAdd(ai, b1, c11);
            ai = Vector128.Create(a.At(p, 2));
            c20 = HardwareFma.MultiplyAdd(ai, b0, c20);
            c21 = HardwareFma.MultiplyAdd(ai, b1, c21);
            ai = Vector128.Create(a.At(p, 3));
            c30 = HardwareFma.MultiplyAdd(ai, b0, c30);
            c31 = HardwareFma.MultiplyAdd(ai, b1, c31);
            ai = Vector128.Create(a.At(p, 4));
            c40 = HardwareFma.MultiplyAdd(ai, b0, c40);
            c41 = HardwareFma.MultiplyAdd(ai, b1, c41);
            ai = Vector128.Create(a.At(p, 5));
            c50 = HardwareFma.MultiplyAdd(ai, b0, c50);
            c51 = HardwareFma.MultiplyAdd(ai, b1, c51);
            b += 8;
        }

        Store128(c, c00, c01, accumulate);
        Store128(c + ldc, c10, c11, accumulate);
        Store128(c + (2 * ldc), c20, c21, accumulate);
        Store128(c + (3 * ldc), c30, c31, accumulate);
        Store128(c + (4 * ldc), c40, c41, accumulate);
        Store128(c + (5 * ldc), c50, c51, accumulate);
    }

    /// <summary>4 x 4 on scalars, for machines (or runs) without accelerated vectors: 16 accumulators in registers.</summary>
    [HotPath]
    public static void Kernel4x4(int kc, float* a, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel4x4(kc, new PackedColumns4(a), b, c, ldc, accumulate);

    /// <summary>
    /// <see cref="Kernel4x4(int, float*, float*, float*, nint, bool)"/> reading the 4 rows of A in place, row i at
    /// <paramref name="a"/> + i x <paramref name="rowStride"/>.
    /// </summary>
    [HotPath]
    public static void Kernel4x4(int kc, float* a, nint rowStride, float* b, float* c, nint ldc, bool accumulate) =>
        Kernel4x4(kc, new StridedColumns(a, rowStride), b, c, ldc, accumulate);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    [HotPath]
    private static void Kernel4x4<TColumns>(int kc, TColumns a, float* b, float* c, nint ldc, bool accumulate)
        where TColumns : struct, ISliverColumns
    {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float ai = a.At(p, 0);
            c00 = HardwareFma.MultiplyAdd(ai, b0, c00);
            c01 = HardwareFma.MultiplyAdd(ai, b1, c01);
            c02 = HardwareFma.MultiplyAdd(ai, b2, c02);
            c03 = HardwareFma.MultiplyAdd(ai, b3, c03);
            ai = a.At(p, 1);
            c10 = HardwareFma.MultiplyAdd(ai, b0, c10);
            c11 = HardwareFma.MultiplyAdd(ai, b1, c11);
            c12 = HardwareFma.MultiplyAdd(ai, b2, c12);
            c13 = HardwareFma.MultiplyAdd(ai, b3, c13);
            ai = a.At(p, 2);
            c20 = HardwareFma.MultiplyAdd(ai, b0, c20);
            c21 = HardwareFma.MultiplyAdd(ai, b1, c21);
            c22 = HardwareFma.MultiplyAdd(ai, b2, c22);
            c23 = HardwareFma.MultiplyAdd(ai, b3, c23);
            ai = a.At(p, 3);
            c30 = HardwareFma.MultiplyAdd(ai, b0, c30);
            c31 = HardwareFma.MultiplyAdd(ai, b1, c31);
            c32 = HardwareFma.MultiplyAdd(ai, b2, c32);
            c33 = HardwareFma.MultiplyAdd(ai, b3, c33);
            b += 4;
        }

        StoreRow(c, c00, c01, c02, c03, accumulate);
        StoreRow(c + ldc, c10, c11, c12, c13, accumulate);
        StoreRow(c + (2 * ldc), c20, c21, c22, c23, accumulate);
        StoreRow(c + (3 * ldc), c30, c31, c32, c33, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store128(float* row, Vector128<float> left, Vector128<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector128.Load(row);
            right += Vector128.Load(row + 4);
        }

        Vector128.Store(left, row);
        Vector128.Store(right, row + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* row, float v0, float v1, float v2, float v3, bool accumulate)
    {
        if (accumulate)
        {
            v0 += row[0];
            v1 += row[1];
            v2 += row[2];
            v3 += row[3];
        }

        row[0] = v0;
        row[1] = v1;
        row[2] = v2;
        row[3] = v3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* row, Vector512<float> left, Vector512<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector512.Load(row);
            right += Vector512.Load(row + 16);
        }

        Vector512.Store(left, row);
        Vector512.Store(right, row + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* row, Vector256<float> left, Vector256<float> right, bool accumulate)
    {
        if (accumulate)
        {
            left += Vector256.Load(row);
            right += Vector256.Load(row + 8);
        }

        Vector256.Store(left, row);
        Vector256.Store(right, row + 8);
    }

    /// <summary>Where the values of column p of an A sliver (one per row of the tile) are.</summary>
    private interface ISliverColumns
    {
        float At(int p, int i);
    }

    /// <summary>A packed sliver of 8 rows: columns of 8 one after another.</summary>
    private readonly struct PackedColumns8(float* start) : ISliverColumns
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int p, int i) => start[((nint)p * 8) + i];
    }

    /// <summary>A packed sliver of 6 rows.</summary>
    private readonly struct PackedColumns6(float* start) : ISliverColumns
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int p, int i) => start[((nint)p * 6) + i];
    }

    /// <summary>A packed sliver of 4 rows.</summary>
    private readonly struct PackedColumns4(float* start) : ISliverColumns
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int p, int i) => start[((nint)p * 4) + i];
    }

    /// <summary>
    /// Up to 8 rows wherever a table of offsets puts them; the row pointers are taken once per tile. The table
    /// always has 8 entries; a kernel of fewer rows never reads past its own.
    /// </summary>
    private readonly struct TabledColumns(float* start, int* offsets) : ISliverColumns
    {
        private readonly float* _row0 = start + offsets[0], _row1 = start + offsets[1];
        private readonly float* _row2 = start + offsets[2], _row3 = start + offsets[3];
        private readonly float* _row4 = start + offsets[4], _row5 = start + offsets[5];
        private readonly float* _row6 = start + offsets[6], _row7 = start + offsets[7];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int p, int i) => i switch
        {
            0 => _row0[p],
            1 => _row1[p],
            2 => _row2[p],
            3 => _row3[p],
            4 => _row4[p],
            5 => _row5[p],
            6 => _row6[p],
            _ => _row7[p],
        };
    }

    /// <summary>
    /// Rows at a fixed stride: two fields the JIT keeps in registers, where a table's eight row pointers are
    /// reloaded from the stack at every k (SSE-only code has no register to spare for them).
    /// </summary>
    private readonly struct StridedColumns(float* start, nint stride) : ISliverColumns
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int p, int i) => start[(i * stride) + p];
    }

    /// <summary>Where row p of a B sliver's 32 values is.</summary>
    private interface ISliverRows
    {
        float* Row(int p);
    }

    /// <summary>A packed sliver: rows of 32 one after another.</summary>
    private readonly struct PackedSliver(float* start) : ISliverRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Row(int p) => start + ((nint)p * 32);
    }

    /// <summary>Rows wherever a table of offsets puts them.</summary>
    private readonly struct TabledRows(float* start, int* offsets) : ISliverRows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Row(int p) => start + offsets[p];
    }
}
