namespace FastLoss.TorchParity.Tests;

/// <summary>The shapes and reductions every elementwise loss is compared on.</summary>
public static class ParityCases
{
    /// <summary>
    /// 1-D lengths around the vector widths (4, 8 and 16 floats for 128-, 256- and 512-bit vectors),
    /// so every scalar tail and every unrolled path is crossed, plus an empty tensor and a long one.
    /// </summary>
    private static readonly int[] Lengths = [0, 1, 7, 15, 16, 17, 31, 33, 64, 100, 257, 4099];

    /// <summary>Shapes of rank 2 and 3, where a weight shaped like the last dimension broadcasts.</summary>
    private static readonly int[][] MultiDimensional = [[4, 5], [2, 3, 7]];

    public static TheoryData<int[], Reduction> ShapesAndReductions
    {
        get
        {
            var cases = new TheoryData<int[], Reduction>();
            foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
            {
                foreach (int length in Lengths)
                {
                    cases.Add([length], reduction);
                }

                foreach (int[] shape in MultiDimensional)
                {
                    cases.Add(shape, reduction);
                }
            }

            return cases;
        }
    }
}
