using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// Products whose A or B rows are found through a row table (<see cref="GemmOperands.ARows"/>,
/// <see cref="GemmOperands.BRows"/>) against float64 on the rows copied out: through the in-place kernels (rows of
/// op(A) and of op(B) with Vector512, swept 128 deep), through the packing (transposed operands, alpha other than
/// 1, the last narrow sliver, and the Vector256 tiling), and on two threads, which must give the bits of one.
/// Tolerance as in <see cref="GemmTests"/>: (K + 4) * 2^-23 * (|alpha| * sum_k |a_ik b_kj| + |beta c_ij|).
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed unsafe class GemmRowTableTests
{
    public static TheoryData<bool, bool, bool> Layouts
    {
        get
        {
            var data = new TheoryData<bool, bool, bool>();
            foreach (bool tabledA in new[] { false, true })
            {
                foreach (bool transposed in new[] { false, true })
                {
                    foreach (bool narrow in new[] { false, true })
                    {
                        data.Add(tabledA, transposed, narrow);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_tabled_operand_gives_the_float64_product_and_the_same_bits_on_two_threads(bool tabledA, bool transposed, bool narrow)
    {
        // Alpha 1 reads A's rows in place; any other alpha packs them, since packing is where alpha is applied.
        GemmTiling.ForceNarrow = narrow;
        try
        {
            // Ragged edges on every side, K across the 256-deep slices, and shapes above the two-thread threshold.
            int[][] shapes = [[1, 1, 1], [7, 31, 5], [8, 32, 17], [9, 33, 256], [75, 32, 300], [32, 100, 75], [130, 65, 257], [800, 32, 256], [32, 256, 800]];
            int seed = 0;
            foreach (int[] shape in shapes)
            {
                foreach (float alpha in new[] { 1f, 0.75f })
                {
                    seed++;
                    float[] one, two;
                    using (new ThreadCountScope(1))
                    {
                        one = Check(tabledA, transposed, shape[0], shape[1], shape[2], alpha, accumulate: (seed & 1) == 0, seed);
                    }

                    using (new ThreadCountScope(2))
                    {
                        two = Check(tabledA, transposed, shape[0], shape[1], shape[2], alpha, accumulate: (seed & 1) == 0, seed);
                    }

                    Assert.True(one.AsSpan().SequenceEqual(two), $"m={shape[0]} n={shape[1]} k={shape[2]}: two threads differ from one");
                }
            }
        }
        finally
        {
            GemmTiling.ForceNarrow = false;
        }
    }

    private static float[] Check(bool tabledA, bool transposed, int m, int n, int k, float alpha, bool accumulate, int seed)
    {
        // The tabled operand's stored rows: op(A) is M x K (K x M when transposed), op(B) is K x N (N x K).
        int rows = tabledA ? (transposed ? k : m) : (transposed ? n : k);
        int length = tabledA ? (transposed ? m : k) : (transposed ? k : n);
        (float[] source, int[] offsets) = ScatteredRows(rows, length, seed);

        // The other operand is stored plainly: B as K x N, or A as M x K.
        int otherLength = tabledA ? n : k;
        float[] other = TestData.Uniform((tabledA ? k : m) * otherLength, seed + 1);
        float[] original = TestData.Uniform(m * n, seed + 2);
        float[] c = (float[])original.Clone();
        bool transA = tabledA && transposed, transB = !tabledA && transposed;
        fixed (float* pSource = source, pOther = other, pc = c)
        fixed (int* table = offsets)
        {
            GemmOperands operands = tabledA
                ? new GemmOperands(transA, false, m, n, k, alpha, pSource, 0, pOther, otherLength, accumulate, pc, n) { ARows = table }
                : new GemmOperands(false, transB, m, n, k, alpha, pOther, otherLength, pSource, 0, accumulate, pc, n) { BRows = table };
            Gemm.Compute(operands);
        }

        // op(A)[i, p] and op(B)[p, j] read back through the table.
        float OpA(int i, int p) => tabledA
            ? source[offsets[transposed ? p : i] + (transposed ? i : p)]
            : other[(i * otherLength) + p];
        float OpB(int p, int j) => tabledA
            ? other[(p * otherLength) + j]
            : source[offsets[transposed ? j : p] + (transposed ? p : j)];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double product = (double)OpA(i, p) * OpB(p, j);
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                double before = accumulate ? original[(i * n) + j] : 0;
                double expected = (alpha * sum) + before;
                double bound = ((k + 4) * Math.Pow(2, -23) * ((Math.Abs(alpha) * magnitude) + Math.Abs(before))) + 1e-30;
                float actual = c[(i * n) + j];
                if (!(Math.Abs(actual - expected) <= bound))
                {
                    Assert.Fail(
                        $"{(tabledA ? "A" : "B")} tabled, transposed={transposed}, m={m} n={n} k={k}, alpha={alpha}, accumulate={accumulate}, narrow={GemmTiling.ForceNarrow}: C[{i},{j}] = {actual:R}, expected {expected:R} within {bound:E2}");
                }
            }
        }

        return c;
    }

    /// <summary>Rows of <paramref name="length"/> values placed in shuffled order with gaps of NaN between them.</summary>
    private static (float[] Source, int[] Offsets) ScatteredRows(int rows, int length, int seed)
    {
        var random = new Random(seed);
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        float[] values = TestData.Uniform(Math.Max(1, rows * length), seed + 3);
        float[] source = new float[(rows * (length + 3)) + 3];
        source.AsSpan().Fill(float.NaN);
        int[] offsets = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            int r = order[i];
            offsets[r] = (i * (length + 3)) + 3;
            values.AsSpan(r * length, length).CopyTo(source.AsSpan(offsets[r], length));
        }

        return (source, offsets);
    }
}
