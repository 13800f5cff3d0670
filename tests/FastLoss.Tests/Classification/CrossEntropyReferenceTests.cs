using FastLoss.Functional;
using static FastLoss.Tests.Classification.CrossEntropySweep;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Span-level cross-entropy against the float64 reference over batch sizes {1, 2, 3, 7, 64, 257} x class counts
/// {2, 3, 10, 17, 1000}, K-dimensional shapes, and every option: weight or not, ignore_index hitting nothing /
/// some entries (out-of-range and in-range index) / everything, the three reductions, label smoothing 0 and 0.1,
/// index and probability targets. Tolerances are those of <see cref="CrossEntropySweep"/>. To keep the run
/// short, the two largest shapes (64 and 257 x 1000) run a reduced sweep (weighted with smoothing and some ignored
/// targets under every reduction, plus the plain default); every option still runs at 1000 classes for N = 1..7.
/// </summary>
public class CrossEntropyReferenceTests
{
    public static TheoryData<int, int> BatchByClasses()
    {
        var data = new TheoryData<int, int>();
        foreach (int batch in new[] { 1, 2, 3, 7, 64, 257 })
        {
            foreach (int classes in new[] { 2, 3, 10, 17, 1000 })
            {
                data.Add(batch, classes);
            }
        }

        return data;
    }

    /// <summary>(N, C, d1, ..., dk) shapes: (2,3,4), (2,5,3,3), (1,4,1,7), plus inner sizes that hit each vector width and its overlapping tail.</summary>
    public static TheoryData<int[]> KDimensionalShapes() => new()
    {
        new[] { 2, 3, 4 },
        new[] { 2, 5, 3, 3 },
        new[] { 1, 4, 1, 7 },
        new[] { 2, 3, 2 },
        new[] { 2, 4, 5 },
        new[] { 1, 3, 8 },
        new[] { 3, 10, 17 },
        new[] { 2, 3, 5, 7 },
        new[] { 2, 6, 2, 2, 4 },
    };

    [Theory]
    [MemberData(nameof(BatchByClasses))]
    public void Index_targets_match_the_reference_for_every_option(int batch, int classes)
    {
        var layout = new ClassLayout(batch, classes, 1);
        SweepIndex(layout, seed: (batch * 1009) + classes);
    }

    [Theory]
    [MemberData(nameof(BatchByClasses))]
    public void Probability_targets_match_the_reference_for_every_option(int batch, int classes)
    {
        var layout = new ClassLayout(batch, classes, 1);
        SweepProbabilities(layout, seed: (batch * 2003) + classes);
    }

    [Theory]
    [MemberData(nameof(KDimensionalShapes))]
    public void K_dimensional_index_targets_match_the_reference_for_every_option(int[] shape)
    {
        SweepIndex(ClassLayout.ForLossInput(shape), seed: shape.Sum());
    }

    [Theory]
    [MemberData(nameof(KDimensionalShapes))]
    public void K_dimensional_probability_targets_match_the_reference_for_every_option(int[] shape)
    {
        SweepProbabilities(ClassLayout.ForLossInput(shape), seed: shape.Sum() + 7);
    }

    [Fact]
    public void Unbatched_input_with_a_0_dim_target_matches_the_reference()
    {
        SweepIndex(new ClassLayout(1, 7, 1), seed: 70);
        SweepProbabilities(new ClassLayout(1, 7, 1), seed: 71);
    }

    /// <summary>Every class count 1..70 and around 128 and 256, contiguous and strided, so every vector width ends in every possible tail.</summary>
    [Fact]
    public void Every_simd_tail_matches_the_reference()
    {
        var extents = Enumerable.Range(1, 70).Concat([127, 128, 129, 255, 256, 257, 300]).ToArray();
        foreach (int classes in extents)
        {
            var random = new Random(classes);
            var layout = new ClassLayout(3, classes, 1);
            float[] x = ClassificationData.Logits(random, layout.Length);
            float[] w = ClassificationData.Weights(random, classes);
            var (y, ignore) = Targets(ClassificationData.IndexTargets(random, layout.Entries, classes), Ignored.SomeOutOfRangeIndex);
            CheckIndex(x, layout, y, w, ignore, Reduction.Mean, 0.1f, $"C={classes}");
            CheckIndex(x, layout, y, null, ignore, Reduction.None, 0f, $"C={classes} none");
            CheckProbabilities(x, layout, ClassificationData.Probabilities(random, 3, classes, 1), w, Reduction.Sum, 0.1f, $"C={classes} probabilities");
        }

        foreach (int inner in Enumerable.Range(1, 40).Concat([63, 64, 65]))
        {
            var random = new Random(inner + 500);
            var layout = new ClassLayout(2, 5, inner);
            float[] x = ClassificationData.Logits(random, layout.Length);
            float[] w = ClassificationData.Weights(random, 5);
            var (y, ignore) = Targets(ClassificationData.IndexTargets(random, layout.Entries, 5), Ignored.SomeOutOfRangeIndex);
            CheckIndex(x, layout, y, w, ignore, Reduction.Mean, 0.1f, $"inner={inner}");
            CheckIndex(x, layout, y, null, ignore, Reduction.None, 0f, $"inner={inner} none");
            CheckProbabilities(x, layout, ClassificationData.Probabilities(random, 2, 5, inner), w, Reduction.None, 0.1f, $"inner={inner} probabilities");
        }
    }

    /// <summary>Logits of +-1e4 (and a spread in between): the max is subtracted, so everything stays finite and matches float64.</summary>
    [Theory]
    [InlineData(7, 17, 1)]
    [InlineData(4, 1000, 1)]
    [InlineData(3, 5, 19)]
    [InlineData(2, 3, 3)]
    public void Huge_logits_stay_finite_and_correct(int batch, int classes, int inner)
    {
        var random = new Random(classes + inner);
        var layout = new ClassLayout(batch, classes, inner);
        float[] x = new float[layout.Length];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = (k % 3) switch { 0 => 1e4f, 1 => -1e4f, _ => (float)((random.NextDouble() * 2e4) - 1e4) };
        }

        float[] w = ClassificationData.Weights(random, classes);
        long[] y = ClassificationData.IndexTargets(random, layout.Entries, classes);
        float[] t = ClassificationData.Probabilities(random, batch, classes, inner);
        foreach (Reduction reduction in Reductions)
        {
            foreach (float eps in Smoothings)
            {
                var losses = new float[layout.Entries];
                var grad = new float[layout.Length];
                CrossEntropy.ForwardBackwardNone(x, layout, y, losses, grad, new CrossEntropyOptions { Weight = w, LabelSmoothing = eps });
                Assert.All(losses, v => Assert.True(float.IsFinite(v)));
                Assert.All(grad, v => Assert.True(float.IsFinite(v)));
                CheckIndex(x, layout, y, w, -100, reduction, eps, $"huge {reduction} eps={eps}");
                CheckProbabilities(x, layout, t, w, reduction, eps, $"huge probabilities {reduction} eps={eps}");
            }
        }
    }

    private const int ReducedSweepAbove = 50_000;

    private static void SweepIndex(ClassLayout layout, int seed)
    {
        var random = new Random(seed);
        float[] x = ClassificationData.Logits(random, layout.Length);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        long[] baseTargets = ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);
        if (layout.Length > ReducedSweepAbove)
        {
            var (someIgnored, ignoreIndex) = Targets(baseTargets, Ignored.SomeOutOfRangeIndex);
            foreach (Reduction reduction in Reductions)
            {
                CheckIndex(x, layout, someIgnored, w, ignoreIndex, reduction, 0.1f, $"{layout} weighted, some ignored, {reduction}, eps=0.1");
            }

            CheckIndex(x, layout, baseTargets, null, -100, Reduction.Mean, 0f, $"{layout} defaults");
            return;
        }

        foreach (Ignored ignored in Enum.GetValues<Ignored>())
        {
            var (y, ignoreIndex) = Targets(baseTargets, ignored);
            foreach (float[]? weight in new[] { null, w })
            {
                foreach (Reduction reduction in Reductions)
                {
                    foreach (float eps in Smoothings)
                    {
                        CheckIndex(x, layout, y, weight, ignoreIndex, reduction, eps,
                            $"{layout} ignored={ignored} weighted={weight is not null} {reduction} eps={eps}");
                    }
                }
            }
        }
    }

    private static void SweepProbabilities(ClassLayout layout, int seed)
    {
        var random = new Random(seed);
        float[] x = ClassificationData.Logits(random, layout.Length);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        float[] t = ClassificationData.Probabilities(random, layout.Batch, layout.Classes, layout.Inner);
        if (layout.Length > ReducedSweepAbove)
        {
            foreach (Reduction reduction in Reductions)
            {
                CheckProbabilities(x, layout, t, w, reduction, 0.1f, $"{layout} probabilities weighted {reduction} eps=0.1");
            }

            CheckProbabilities(x, layout, t, null, Reduction.Mean, 0f, $"{layout} probabilities defaults");
            return;
        }

        foreach (float[]? weight in new[] { null, w })
        {
            foreach (Reduction reduction in Reductions)
            {
                foreach (float eps in Smoothings)
                {
                    CheckProbabilities(x, layout, t, weight, reduction, eps,
                        $"{layout} probabilities weighted={weight is not null} {reduction} eps={eps}");
                }
            }
        }
    }
}
