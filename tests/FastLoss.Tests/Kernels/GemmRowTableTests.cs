using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// Products whose A or B rows are found through a row table (<see cref="GemmOperands.ARows"/>,
/// <see cref="GemmOperands.BRows"/>) against the same product on the rows copied out into an ordinary matrix,
/// which <see cref="GemmTests"/> checks against float64. Every element of C is the same fused multiply-add chain
/// either way, so the two must agree bit for bit: through the in-place kernels (rows of op(A) and of op(B) with
/// Vector512), through the packing (transposed operands, the last narrow sliver, and the Vector256 tiling), and on
/// two threads.
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
    public void A_tabled_operand_gives_the_bits_of_its_rows_copied_out(bool tabledA, bool transposed, bool narrow)
    {
        // Alpha 1 reads A's rows in place; any other alpha packs them, since packing is where alpha is applied.
        GemmTiling.ForceNarrow = narrow;
        try
        {
            // Ragged edges on every side, K across the 256-deep slices, and shapes above the two-thread threshold.
            int[][] shapes = [[1, 1, 1], [7, 31, 5], [8, 32, 17], [9, 33, 256], [75, 32, 300], [32, 100, 75], [130, 65, 257], [800, 32, 256], [32, 256, 800]];
            int seed = 0;
            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = new ThreadCountScope(threads);
                foreach (int[] shape in shapes)
                {
                    foreach (float alpha in new[] { 1f, 0.75f })
                    {
                        Check(tabledA, transposed, shape[0], shape[1], shape[2], alpha, accumulate: (++seed & 1) == 0, seed);
                    }
                }
            }
        }
        finally
        {
            GemmTiling.ForceNarrow = false;
        }
    }

    private static void Check(bool tabledA, bool transposed, int m, int n, int k, float alpha, bool accumulate, int seed)
    {
        // The tabled operand's stored rows: op(A) is M x K (K x M when transposed), op(B) is K x N (N x K).
        int rows = tabledA ? (transposed ? k : m) : (transposed ? n : k);
        int length = tabledA ? (transposed ? m : k) : (transposed ? k : n);
        (float[] source, int[] offsets) = ScatteredRows(rows, length, seed);
        float[] copied = new float[rows * length];
        for (int r = 0; r < rows; r++)
        {
            source.AsSpan(offsets[r], length).CopyTo(copied.AsSpan(r * length, length));
        }

        // The other operand is stored plainly: B as K x N, or A as M x K.
        int otherRows = tabledA ? k : m;
        int otherLength = tabledA ? n : k;
        float[] other = TestData.Uniform(otherRows * otherLength, seed + 1);
        float[] c = TestData.Uniform(m * n, seed + 2);
        float[] expected = (float[])c.Clone(), actual = (float[])c.Clone();
        bool transA = tabledA && transposed, transB = !tabledA && transposed;
        float beta = accumulate ? 1f : 0f;
        if (tabledA)
        {
            Gemm.Sgemm(transA, false, m, n, k, alpha, copied, length, other, otherLength, beta, expected, n);
        }
        else
        {
            Gemm.Sgemm(false, transB, m, n, k, alpha, other, otherLength, copied, length, beta, expected, n);
        }

        fixed (float* pSource = source, pOther = other, pc = actual)
        fixed (int* table = offsets)
        {
            GemmOperands operands = tabledA
                ? new GemmOperands(transA, false, m, n, k, alpha, pSource, 0, pOther, otherLength, accumulate, pc, n) { ARows = table }
                : new GemmOperands(false, transB, m, n, k, alpha, pOther, otherLength, pSource, 0, accumulate, pc, n) { BRows = table };
            Gemm.Compute(operands);
        }

        Assert.True(
            expected.AsSpan().SequenceEqual(actual),
            $"{(tabledA ? "A" : "B")} tabled, transposed={transposed}, m={m} n={n} k={k}, alpha={alpha}, accumulate={accumulate}, narrow={GemmTiling.ForceNarrow}");
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
