using FastLoss.Generation;
using FastLoss.Threading;

namespace FastLoss.Kernels;

/// <summary>
/// Single-precision matrix product C = alpha * op(A) * op(B) + beta * C on row-major spans (BLAS sgemm with
/// row-major storage). op(X) is X or its transpose; a transposed operand is stored as its transpose, so A is
/// M x K (or K x M when transposed) with row stride lda, B is K x N (or N x K) with row stride ldb.
/// Large products are split over <see cref="ComputePool"/>; every element of C is computed the same way
/// whatever the split, so results are identical for any thread count.
/// </summary>
public static class Gemm
{
    // Below about this many multiply-adds (some 40 microseconds on one core), handing half to another thread
    // costs more than it saves once that thread may have to be woken or scheduled.
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C. With beta = 0, C is only written (NaN or garbage in it is ignored);
    /// with beta = 1 the product is accumulated; with alpha = 0 or k = 0, A and B are not read.
    /// C must not overlap A or B. Sizes and strides are checked against the spans before anything is written.
    /// </summary>
    [HotPath]
    public static unsafe void Sgemm(
        bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a, pb = b, pc = c)
        {
            Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }

    /// <summary>
    /// The product on pinned, already validated operands. <paramref name="packedA"/>, when given, is alpha * op(A)
    /// from <see cref="GemmPacking.PackWholeA"/> with the current tiling, and A itself is not read.
    /// </summary>
    [HotPath]
    internal static unsafe void Run(
        bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, float* packedA = null)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        bool skipProduct = k == 0 || alpha == 0f;
        if (beta != 1f && (skipProduct || beta != 0f))
        {
            ScaleC(m, n, beta, c, ldc);
        }

        if (skipProduct)
        {
            return;
        }

        Compute(new GemmOperands(transA, transB, m, n, k, alpha, a, lda, b, ldb, accumulate: beta != 0f, c, ldc, packedA));
    }

    /// <summary>
    /// The product on operands whose C is ready (to be added to or overwritten, as <see cref="GemmOperands.Accumulate"/>
    /// says), with M, N and K positive: split over the pool when it is large enough.
    /// </summary>
    [HotPath]
    internal static unsafe void Compute(in GemmOperands operands)
    {
        int m = operands.M, n = operands.N;
        bool large = ComputePool.ThreadCount > 1 && (long)m * n * operands.K >= ParallelThreshold;

        // The thread's job is made at its first large product even when the pool is busy then (another thread is
        // using it), so that a thread that finds the pool free later allocates nothing.
        GemmJob? job = large ? GemmJob.Current : null;
        int threads = large && ComputePool.CanRunInParallel ? ComputePool.ThreadCount : 1;
        if (threads > 1)
        {
            GemmTiling tiling = GemmTiling.Current;
            int rowTiles = (m + tiling.Mr - 1) / tiling.Mr;
            int columnTiles = (n + tiling.Nr - 1) / tiling.Nr;
            bool splitColumns = columnTiles >= rowTiles || rowTiles < threads;
            int tiles = splitColumns ? columnTiles : rowTiles;
            int parts = Math.Min(threads, tiles);
            if (parts > 1)
            {
                job!.Set(operands, splitColumns, tiles, splitColumns ? tiling.Nr : tiling.Mr);
                ComputePool.Run(job, parts);
                return;
            }
        }

        GemmDriver.Compute(operands, 0, m, 0, n);
    }

    [HotPath]
    private static unsafe void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + ((nint)i * ldc), n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    private static void Validate(
        bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(m), $"Gemm: the sizes must not be negative, got m = {m}, n = {n}, k = {k}.");
        }

        CheckMatrix("A", transA ? k : m, transA ? m : k, aLength, lda, nameof(lda));
        CheckMatrix("B", transB ? n : k, transB ? k : n, bLength, ldb, nameof(ldb));
        CheckMatrix("C", m, n, cLength, ldc, nameof(ldc));
    }

    private static void CheckMatrix(string name, int rows, int columns, int length, int stride, string strideName)
    {
        if (stride < Math.Max(1, columns))
        {
            throw new ArgumentOutOfRangeException(
                strideName,
                $"Gemm: {strideName} must be at least max(1, {columns}) for the {rows}x{columns} matrix {name}, got {stride}.");
        }

        long needed = rows == 0 || columns == 0 ? 0 : ((long)(rows - 1) * stride) + columns;
        if (length < needed)
        {
            throw new ArgumentException(
                $"Gemm: {name} is a {rows}x{columns} matrix with row stride {stride}, which needs {needed} elements, but the span has {length}.",
                name.ToLowerInvariant());
        }
    }
}
