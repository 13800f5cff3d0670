using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Ctc;

/// <summary>
/// CtcLoss against the float64 references of <see cref="CtcReference"/>: path enumeration for tiny cases (which
/// also checks the probability-space recursion), the recursion for larger ones. The kernel works in float32 log
/// space, so its loss carries a few float32 roundings per time step: 1e-5 relative + 1e-5 absolute.
/// </summary>
public class CtcReferenceTests
{
    private const double Rtol = 1e-5;
    private const double Atol = 1e-5;

    public static TheoryData<long[], int, int> TinyTargets => new()
    {
        { [], 4, 0 },
        { [1], 4, 0 },
        { [1, 2], 4, 0 },
        { [1, 1], 4, 0 },
        { [1, 1], 3, 0 },
        { [2, 2, 1], 5, 0 },
        { [0, 1], 4, 2 },
        { [1, 0, 1], 5, 2 },
        { [1, 1, 1], 4, 0 }, // needs 5 steps: infeasible
        { [1, 2, 1, 2], 3, 0 }, // longer than the input: infeasible
        { [1], 0, 0 },
        { [], 0, 0 },
    };

    [Theory]
    [MemberData(nameof(TinyTargets))]
    public void Tiny_cases_match_the_sum_over_every_path(long[] labels, int inputLength, int blank)
    {
        const int Time = 5, Batch = 2, Classes = 3;
        var data = new CtcData(labels.Length * 17 + inputLength, Time, Batch, Classes, 1, blank, repeats: false);
        double bruteForce = inputLength == 0
            ? (labels.Length == 0 ? 0 : double.PositiveInfinity)
            : CtcReference.BruteForce(data.LogProbs, Batch, Classes, 1, labels, inputLength, blank);
        double recursion = CtcReference.Recursion(data.LogProbs, Batch, Classes, 1, labels, inputLength, blank);
        AssertClose(bruteForce, recursion, 1e-12, 1e-12, "recursion against enumeration");

        int[] inputLengths = [Time, inputLength];
        int[] targetLengths = [0, labels.Length];
        float[] losses = new float[Batch];
        var targets = CtcTargets.Concatenated(labels, inputLengths, targetLengths);
        float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, targetLengths)];
        CtcLoss.ForwardNone(data.LogProbsFloat, data.Layout, targets, losses, workspace, new CtcOptions { Blank = blank });
        AssertClose(bruteForce, losses[1], Rtol, Atol, "CtcLoss against enumeration");
    }

    public static TheoryData<int, int, int, int, int, bool> Shapes => new()
    {
        { 1, 1, 2, 1, 0, false },
        { 8, 3, 4, 3, 0, true },
        { 8, 3, 4, 3, 3, false },
        { 30, 4, 10, 12, 0, true },
        { 30, 4, 10, 12, 7, false },
        { 50, 16, 20, 30, 0, false },
        { 100, 2, 28, 40, 27, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Losses_match_the_float64_recursion_for_every_reduction(int time, int batch, int classes, int maxTarget, int blank, bool repeats)
    {
        var data = new CtcData((time * 7) + classes, time, batch, classes, maxTarget, blank, repeats);
        double[] expected = data.ReferenceLosses(data.LogProbs);
        float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, data.TargetLengths)];
        var options = new CtcOptions { Blank = blank };
        foreach (bool concatenated in new[] { false, true })
        {
            CtcTargets targets = data.Targets(concatenated);
            float[] losses = new float[batch];
            CtcLoss.ForwardNone(data.LogProbsFloat, data.Layout, targets, losses, workspace, options);
            for (int n = 0; n < batch; n++)
            {
                AssertClose(expected[n], losses[n], Rtol, Atol, $"sequence {n}, concatenated {concatenated}");
            }

            foreach (Reduction reduction in new[] { Reduction.Sum, Reduction.Mean })
            {
                double reduced = CtcReference.Reduce(expected, data.TargetLengths, zeroInfinity: false, reduction)[0];
                float actual = CtcLoss.Forward(data.LogProbsFloat, data.Layout, targets, workspace, options, reduction);
                AssertClose(reduced, actual, Rtol, Atol, $"{reduction}, concatenated {concatenated}");
            }
        }
    }

    /// <summary>
    /// zero_infinity: an infeasible target's loss is +inf without it and 0 with it, and leaves the mean's
    /// denominator as it is (torch divides by the batch, infeasible sequences included).
    /// </summary>
    [Fact]
    public void Zero_infinity_zeroes_infeasible_losses_and_keeps_them_in_the_mean()
    {
        var data = new CtcData(5, 6, 3, 4, 3, 0, repeats: false);
        int[] inputLengths = [6, 2, 6];
        int[] targetLengths = [2, 3, 0];
        long[] labels = [1, 2, 1, 2, 3];
        var targets = CtcTargets.Concatenated(labels, inputLengths, targetLengths);
        float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, targetLengths)];
        float[] losses = new float[3];
        CtcLoss.ForwardNone(data.LogProbsFloat, data.Layout, targets, losses, workspace);
        Assert.Equal(float.PositiveInfinity, losses[1]);
        Assert.Equal(float.PositiveInfinity, CtcLoss.Forward(data.LogProbsFloat, data.Layout, targets, workspace));

        var zero = new CtcOptions { ZeroInfinity = true };
        CtcLoss.ForwardNone(data.LogProbsFloat, data.Layout, targets, losses, workspace, zero);
        Assert.Equal(0f, losses[1]);
        double expected = ((losses[0] / 2.0) + 0 + (losses[2] / 1.0)) / 3;
        AssertClose(expected, CtcLoss.Forward(data.LogProbsFloat, data.Layout, targets, workspace, zero), 1e-6, 0, "mean with zero_infinity");

        float[] grad = new float[data.Layout.Length];
        CtcLoss.ForwardBackwardNone(data.LogProbsFloat, data.Layout, targets, losses, [1f, 1f, 1f], grad, workspace, zero);
        for (int t = 0; t < 6; t++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.Equal(0f, grad[(((t * 3) + 1) * 4) + c]);
            }
        }

        Assert.True(Array.TrueForAll(grad, float.IsFinite));
    }

    /// <summary>The module's losses are the span functions' (unbatched (T, C) input too).</summary>
    [Fact]
    public void The_module_gives_the_span_functions_losses()
    {
        var data = new CtcData(9, 10, 1, 5, 4, 2, repeats: true);
        double expected = data.ReferenceLosses(data.LogProbs)[0];
        var module = new CTCLoss(blank: 2, reduction: Reduction.None);
        Tensor unbatched = Tensor.FromValues(data.LogProbsFloat, 10, 5);
        Tensor loss = module.Forward(unbatched, IndexTensor.FromValues(data.Concatenated, data.Concatenated.Length), data.InputLengths, data.TargetLengths);
        Assert.Equal(0, loss.Rank);
        AssertClose(expected, loss.Item(), Rtol, Atol, "unbatched module");
    }

    private static void AssertClose(double expected, double actual, double rtol, double atol, string what)
    {
        if (double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            Assert.True(expected == actual, $"{what}: expected {expected}, got {actual}");
            return;
        }

        Assert.True(Math.Abs(actual - expected) <= (rtol * Math.Abs(expected)) + atol, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
