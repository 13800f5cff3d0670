using FastLoss.Functional;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Contiguous passes of a million logits or more are cut into runs of rows for the compute pool, and gradients of
/// 8 MiB or more are written with streaming stores. Every entry point and option against the float64 reference
/// (tolerances of <see cref="CrossEntropySweep"/>) at a shape that is cut (1027 rows) and at one that is also
/// streamed (2053 rows), batches that do not divide into the runs evenly; bitwise the same results on one and two threads, and no
/// allocation per call once the thread's job object exists.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public class CrossEntropyRowRunsTests
{
    private const int Batch = 1027;
    private const int Classes = 1031;

    private const int StreamedBatch = 2053;

    public static TheoryData<int, Reduction, float, bool> Options()
    {
        var data = new TheoryData<int, Reduction, float, bool>();
        foreach (int batch in new[] { Batch, StreamedBatch })
        {
            foreach (Reduction reduction in CrossEntropySweep.Reductions)
            {
                foreach (float eps in CrossEntropySweep.Smoothings)
                {
                    data.Add(batch, reduction, eps, false);
                    data.Add(batch, reduction, eps, true);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Index_targets_match_the_reference(int batch, Reduction reduction, float eps, bool weighted)
    {
        var random = new Random(41);
        float[] x = ClassificationData.Logits(random, batch * Classes);
        var (y, ignoreIndex) = CrossEntropySweep.Targets(ClassificationData.IndexTargets(random, batch, Classes), CrossEntropySweep.Ignored.SomeOutOfRangeIndex);
        float[]? weight = weighted ? ClassificationData.Weights(random, Classes) : null;
        using var threads = new ThreadCountScope(2);
        CrossEntropySweep.CheckIndex(x, new ClassLayout(batch, Classes, 1), y, weight, ignoreIndex, reduction, eps, "cut into runs");
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Probability_targets_match_the_reference(int batch, Reduction reduction, float eps, bool weighted)
    {
        var random = new Random(43);
        float[] x = ClassificationData.Logits(random, batch * Classes);
        float[] t = ClassificationData.Probabilities(random, batch, Classes, 1);
        float[]? weight = weighted ? ClassificationData.Weights(random, Classes) : null;
        using var threads = new ThreadCountScope(2);
        CrossEntropySweep.CheckProbabilities(x, new ClassLayout(batch, Classes, 1), t, weight, reduction, eps, "cut into runs");
    }

    [Fact]
    public void One_and_two_threads_give_the_same_bits()
    {
        var random = new Random(47);
        float[] x = ClassificationData.Logits(random, Batch * Classes, spread: 20f);
        long[] y = ClassificationData.IndexTargets(random, Batch, Classes);
        var layout = new ClassLayout(Batch, Classes, 1);

        var (lossOne, gradientOne, entriesOne) = Run(1);
        var (lossTwo, gradientTwo, entriesTwo) = Run(2);

        Assert.Equal(BitConverter.SingleToInt32Bits(lossOne), BitConverter.SingleToInt32Bits(lossTwo));
        Assert.Equal(gradientOne, gradientTwo);
        Assert.Equal(entriesOne, entriesTwo);

        (float Loss, float[] Gradient, float[] Entries) Run(int threadCount)
        {
            using var threads = new ThreadCountScope(threadCount);
            var gradient = new float[x.Length];
            var entries = new float[Batch];
            var options = new CrossEntropyOptions { LabelSmoothing = 0.05f };
            float loss = CrossEntropy.ForwardBackward(x, layout, y, gradient, options);
            CrossEntropy.ForwardNone(x, layout, y, entries, options);
            return (loss, gradient, entries);
        }
    }

    [Fact]
    public void Streamed_calls_cut_into_runs_allocate_nothing_after_the_first()
    {
        var random = new Random(53);
        float[] x = ClassificationData.Logits(random, StreamedBatch * Classes);
        long[] y = ClassificationData.IndexTargets(random, StreamedBatch, Classes);
        float[] t = ClassificationData.Probabilities(random, StreamedBatch, Classes, 1);
        var gradient = new float[x.Length];
        var layout = new ClassLayout(StreamedBatch, Classes, 1);
        using var threads = new ThreadCountScope(2);
        void Step()
        {
            CrossEntropy.ForwardBackward(x, layout, y, gradient);
            CrossEntropy.ForwardBackward(x, layout, t, gradient);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 20));
    }
}
