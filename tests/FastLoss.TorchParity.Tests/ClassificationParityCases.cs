using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests;

/// <summary>The shapes and options the classification losses and softmax are compared on.</summary>
public static class ClassificationParityCases
{
    /// <summary>
    /// Unbatched (C); (N, C) with class counts around the vector widths (4, 8 and 16 floats): 2, 3 and 10 take the
    /// narrow or one-lane paths, 16 is one full 512-bit vector, 17 and 33 leave tails, 1000 many vectors; an empty
    /// batch; and (N, C, H, W) and (N, C, d) inputs, whose class dimension is strided (inner sizes 20, 5, 33, 16).
    /// </summary>
    private static readonly int[][] Shapes =
    [
        [3], [17],
        [1, 2], [4, 3], [5, 10], [2, 16], [3, 17], [2, 33], [3, 1000], [0, 4],
        [2, 3, 4, 5], [3, 17, 5], [2, 10, 33], [1, 4, 16],
    ];

    /// <summary>Shapes for logits of +-1e4: a narrow row, vector tails, a long row and a strided class dimension.</summary>
    private static readonly int[][] LargeLogitShapes = [[4, 3], [3, 17], [2, 33], [3, 1000], [2, 3, 4, 5]];

    private static readonly float[] LabelSmoothings = [0f, 0.1f, 0.3f];

    private static readonly float[] LargeLogitSmoothings = [0f, 0.3f];

    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Sum, Reduction.Mean];

    private static readonly bool[] Weighted = [false, true];

    private static readonly IgnoreMode[] IgnoreModes = [IgnoreMode.Default, IgnoreMode.Hit, IgnoreMode.All];

    /// <summary>Cross entropy with index targets: shape x weight x ignore_index x reduction x label smoothing.</summary>
    public static TheoryData<int[], bool, IgnoreMode, Reduction, float> IndexTargetCases
    {
        get
        {
            var cases = new TheoryData<int[], bool, IgnoreMode, Reduction, float>();
            foreach (int[] shape in Shapes)
            {
                foreach (bool weighted in Weighted)
                {
                    foreach (IgnoreMode ignore in IgnoreModes)
                    {
                        foreach (Reduction reduction in Reductions)
                        {
                            foreach (float smoothing in LabelSmoothings)
                            {
                                cases.Add(shape, weighted, ignore, reduction, smoothing);
                            }
                        }
                    }
                }
            }

            return cases;
        }
    }

    /// <summary>Cross entropy with probability targets (ignore_index does not apply): shape x weight x reduction x label smoothing.</summary>
    public static TheoryData<int[], bool, Reduction, float> ProbabilityTargetCases => WeightReductionSmoothing(Shapes, LabelSmoothings);

    /// <summary>Logits of +-1e4 (both target kinds): shape x weight x reduction x label smoothing (none or 0.3).</summary>
    public static TheoryData<int[], bool, Reduction, float> LargeLogitCases => WeightReductionSmoothing(LargeLogitShapes, LargeLogitSmoothings);

    /// <summary>NLL: shape x weight x ignore_index x reduction.</summary>
    public static TheoryData<int[], bool, IgnoreMode, Reduction> NllCases
    {
        get
        {
            var cases = new TheoryData<int[], bool, IgnoreMode, Reduction>();
            foreach (int[] shape in Shapes)
            {
                foreach (bool weighted in Weighted)
                {
                    foreach (IgnoreMode ignore in IgnoreModes)
                    {
                        foreach (Reduction reduction in Reductions)
                        {
                            cases.Add(shape, weighted, ignore, reduction);
                        }
                    }
                }
            }

            return cases;
        }
    }

    /// <summary>Softmax and log-softmax: every shape along every dimension, and the last one counted from the end.</summary>
    public static TheoryData<int[], int> SoftmaxCases
    {
        get
        {
            var cases = new TheoryData<int[], int>();
            foreach (int[] shape in Shapes)
            {
                for (int dim = 0; dim < shape.Length; dim++)
                {
                    cases.Add(shape, dim);
                }

                cases.Add(shape, -1);
            }

            return cases;
        }
    }

    private static TheoryData<int[], bool, Reduction, float> WeightReductionSmoothing(int[][] shapes, float[] smoothings)
    {
        var cases = new TheoryData<int[], bool, Reduction, float>();
        foreach (int[] shape in shapes)
        {
            foreach (bool weighted in Weighted)
            {
                foreach (Reduction reduction in Reductions)
                {
                    foreach (float smoothing in smoothings)
                    {
                        cases.Add(shape, weighted, reduction, smoothing);
                    }
                }
            }
        }

        return cases;
    }
}
