using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// Gemm against a float64 triple loop. Tolerance: the rounding-error bound of a length-K float32 dot product,
/// |error| &lt;= (K + 4) * 2^-23 * (|alpha| * sum_k |a_ik b_kj| + |beta c_ij|), plus 1e-30.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class GemmTests
{
    private static readonly int[] SmallSizes = [0, 1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 65];
    private static readonly (float Alpha, float Beta)[] Scalings = [(1f, 0f), (0.5f, 1f), (-2f, 0.25f), (1f, 1f), (1.5f, -1f)];

    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Every_small_shape_matches_the_float64_product(bool transA, bool transB)
    {
        using var threads = new ThreadCountScope(1);
        int index = 0;
        foreach (int m in SmallSizes)
        {
            foreach (int n in SmallSizes)
            {
                foreach (int k in SmallSizes)
                {
                    (float alpha, float beta) = Scalings[index++ % Scalings.Length];
                    CheckProduct(transA, transB, m, n, k, alpha, beta, seed: index);
                }
            }
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Large_shapes_match_and_two_threads_give_the_same_bits_as_one(bool transA, bool transB)
    {
        int[][] shapes =
        [
            [257, 100, 17], [33, 1, 257], [1, 257, 100], [257, 33, 1],
            // Above Gemm.ParallelThreshold: split over columns, and over rows when there are too few column tiles.
            [129, 257, 70], [40, 520, 130], [520, 40, 130], [300, 33, 257],
        ];
        Assert.True(129L * 257 * 70 >= Gemm.ParallelThreshold && 520L * 40 * 130 >= Gemm.ParallelThreshold, "the shapes must reach the two-thread path");
        int seed = 1000;
        foreach (int[] shape in shapes)
        {
            float[] one, two;
            using (new ThreadCountScope(1))
            {
                one = CheckProduct(transA, transB, shape[0], shape[1], shape[2], 0.75f, 1f, ++seed);
            }

            using (new ThreadCountScope(2))
            {
                two = CheckProduct(transA, transB, shape[0], shape[1], shape[2], 0.75f, 1f, seed);
            }

            Assert.Equal(one, two);
        }
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void The_vector256_kernel_matches_the_float64_product(bool transA, bool transB)
    {
        GemmTiling.ForceNarrow = true;
        try
        {
            int[] sizes = [0, 1, 5, 6, 7, 16, 17, 33, 100];
            int index = 0;
            foreach (int m in sizes)
            {
                foreach (int n in sizes)
                {
                    foreach (int k in new[] { 0, 1, 7, 33, 260 })
                    {
                        (float alpha, float beta) = Scalings[index++ % Scalings.Length];
                        using var threads = new ThreadCountScope(1 + (index % 2));
                        CheckProduct(transA, transB, m, n, k, alpha, beta, index);
                    }
                }
            }

            using (new ThreadCountScope(2))
            {
                CheckProduct(transA, transB, 129, 257, 70, 1f, 0f, 7);
            }
        }
        finally
        {
            GemmTiling.ForceNarrow = false;
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public unsafe void A_prepacked_once_gives_the_same_bits_as_packing_per_product(bool transA, bool narrow)
    {
        GemmTiling.ForceNarrow = narrow;
        try
        {
            // Shapes below and above the split threshold, over columns and over rows, with ragged edges.
            int[][] shapes = [[1, 1, 1], [7, 33, 5], [33, 65, 257], [64, 256, 800], [520, 40, 130], [129, 257, 70]];
            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = new ThreadCountScope(threads);
                foreach (int[] shape in shapes)
                {
                    int m = shape[0], n = shape[1], k = shape[2];
                    int lda = transA ? m : k;
                    float[] a = TestData.Uniform(m * k, m), b = TestData.Uniform(k * n, n), c = TestData.Uniform(m * n, k);
                    float[] expected = (float[])c.Clone(), actual = (float[])c.Clone();
                    float[] packed = new float[GemmPacking.WholeASize(m, k)];
                    Gemm.Sgemm(transA, false, m, n, k, 0.5f, a, lda, b, n, 1f, expected, n);
                    fixed (float* pa = a, pb = b, pc = actual, pp = packed)
                    {
                        GemmPacking.PackWholeA(new GemmOperands(transA, false, m, n, k, 0.5f, pa, lda, null, 1, false, null, 1), pp);
                        Gemm.Run(transA, false, m, n, k, 0.5f, null, lda, pb, n, 1f, pc, n, pp);
                    }

                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"m={m} n={n} k={k} threads={threads} narrow={narrow}");
                }
            }
        }
        finally
        {
            GemmTiling.ForceNarrow = false;
        }
    }

    [Fact]
    public void Strided_submatrices_are_read_and_written_in_place()
    {
        // A 5x4 block of a 9-wide matrix times a 4x6 block of an 11-wide matrix into a 5x6 block of a 13-wide C.
        float[] a = TestData.Uniform(5 * 9, 1), b = TestData.Uniform(4 * 11, 2), c = TestData.Uniform(5 * 13, 3);
        float[] before = (float[])c.Clone();
        Gemm.Sgemm(false, false, 5, 6, 4, 1f, a, 9, b, 11, 1f, c, 13);
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 13; j++)
            {
                if (j >= 6)
                {
                    Assert.Equal(before[(i * 13) + j], c[(i * 13) + j]);
                    continue;
                }

                double expected = before[(i * 13) + j];
                for (int p = 0; p < 4; p++)
                {
                    expected += (double)a[(i * 9) + p] * b[(p * 11) + j];
                }

                Assert.True(Math.Abs(expected - c[(i * 13) + j]) <= 1e-5, $"C[{i},{j}]: expected {expected}, got {c[(i * 13) + j]}");
            }
        }
    }

    [Fact]
    public void Beta_zero_ignores_NaN_in_C_and_alpha_zero_or_k_zero_only_scale_C()
    {
        float[] a = [float.NaN, 1f, 2f, 3f], b = [1f, 2f, 3f, 4f];
        float[] c = [float.NaN, float.NaN, float.NaN, float.NaN];
        Gemm.Sgemm(false, false, 2, 2, 2, 1f, [1f, 2f, 3f, 4f], 2, b, 2, 0f, c, 2);
        Assert.Equal([7f, 10f, 15f, 22f], c);

        float[] scaled = [1f, 2f, 3f, 4f];
        Gemm.Sgemm(false, false, 2, 2, 2, 0f, a, 2, b, 2, 2f, scaled, 2);
        Assert.Equal([2f, 4f, 6f, 8f], scaled);

        float[] zeroK = [1f, 2f, 3f, 4f];
        Gemm.Sgemm(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, zeroK, 2);
        Assert.Equal([0.5f, 1f, 1.5f, 2f], zeroK);

        float[] cleared = [float.NaN, 5f];
        Gemm.Sgemm(false, false, 1, 2, 0, 1f, [], 1, [], 2, 0f, cleared, 2);
        Assert.Equal([0f, 0f], cleared);
    }

    [Fact]
    public void Bad_arguments_are_rejected_before_C_is_touched()
    {
        float[] c = [9f, 9f, 9f, 9f];
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, new float[6], 2, new float[6], 2, 0f, c, 2));
        Assert.Contains("lda must be at least max(1, 3)", stride.Message, StringComparison.Ordinal);
        var shortB = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 2, 2, 3, 1f, new float[6], 3, new float[5], 3, 0f, c, 2));
        Assert.Contains("B is a 2x3 matrix with row stride 3, which needs 6 elements, but the span has 5", shortB.Message, StringComparison.Ordinal);
        var shortC = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, new float[6], 3, new float[6], 2, 0f, new float[3], 2));
        Assert.Contains("C is a 2x2 matrix", shortC.Message, StringComparison.Ordinal);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 2, 3, 1f, new float[6], 3, new float[6], 2, 0f, c, 2));
        Assert.Contains("m = -1", negative.Message, StringComparison.Ordinal);
        Assert.Equal([9f, 9f, 9f, 9f], c);
    }

    private static float[] CheckProduct(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int seed)
    {
        int lda = Math.Max(1, transA ? m : k), ldb = Math.Max(1, transB ? k : n), ldc = Math.Max(1, n);
        float[] a = TestData.Uniform(m * k, seed), b = TestData.Uniform(k * n, seed + 1), c = TestData.Uniform(m * n, seed + 2);
        float[] original = (float[])c.Clone();
        Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        // op(A) rows and op(B) columns as contiguous float64 vectors, so the reference loop is a plain dot product.
        var rows = new double[m * k];
        var columns = new double[n * k];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                rows[(i * k) + p] = a[transA ? (p * lda) + i : (i * lda) + p];
            }
        }

        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < k; p++)
            {
                columns[(j * k) + p] = b[transB ? (j * ldb) + p : (p * ldb) + j];
            }
        }

        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = rows.AsSpan(i * k, k);
            for (int j = 0; j < n; j++)
            {
                ReadOnlySpan<double> column = columns.AsSpan(j * k, k);
                double sum = 0, magnitude = 0;
                for (int p = 0; p < row.Length; p++)
                {
                    double product = row[p] * column[p];
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                double expected = (alpha * sum) + (beta == 0f ? 0 : beta * (double)original[(i * ldc) + j]);
                double bound = ((k + 4) * Math.Pow(2, -23) * ((Math.Abs(alpha) * magnitude) + Math.Abs(beta * original[(i * ldc) + j]))) + 1e-30;
                float actual = c[(i * ldc) + j];
                if (!(Math.Abs(actual - expected) <= bound))
                {
                    Assert.Fail($"{(transA ? "T" : "N")}{(transB ? "T" : "N")} m={m} n={n} k={k} alpha={alpha} beta={beta}: C[{i},{j}] = {actual:R}, expected {expected:R} within {bound:E2}");
                }
            }
        }

        return c;
    }
}
