using FastLoss.Functional;
using FastLoss.Tests.Classification;

namespace FastLoss.Tests.Ctc;

/// <summary>
/// The gradient against central finite differences of the float64 reference. torch's ctc_loss backward does not
/// return d loss / d log_probs: it returns exp(lp) - occupancy, which is the gradient with respect to the logits z of
/// loss(log_softmax(z)) (the chain rule through log_softmax turns d loss / d lp = -occupancy into
/// -occupancy + softmax(z) x sum(occupancy), and the occupancies of a time step sum to 1). So the check differentiates
/// that composition: log_probs = log_softmax(z) in double, the kernel runs on them rounded to float, and its gradient
/// is compared with the differences of z -> sum_n u_n loss_n(log_softmax(z)) (and of the reduced losses). A second
/// check differentiates the loss in log_probs directly: the kernel's gradient minus exp(lp) is that derivative.
/// Tolerance: 1e-4 relative + 2e-5 absolute (float32 log-space rounding; the differences are accurate to ~1e-8).
/// </summary>
public class CtcGradientCheckTests
{
    private const double Rtol = 1e-4;
    private const double Atol = 2e-5;

    public static TheoryData<int, int, int, int, int, bool> Shapes => new()
    {
        { 4, 2, 3, 2, 0, false },
        { 7, 3, 4, 3, 2, true },
        { 12, 3, 5, 5, 0, true },
        { 20, 2, 6, 8, 5, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_gradient_is_that_of_the_logits_behind_log_softmax(int time, int batch, int classes, int maxTarget, int blank, bool repeats)
    {
        var data = new CtcData((time * 13) + batch, time, batch, classes, maxTarget, blank, repeats);
        var options = new CtcOptions { Blank = blank };
        float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, data.TargetLengths)];
        float[] grad = new float[data.Layout.Length];
        var random = new Random(time);
        float[] upstream = new float[batch];
        for (int n = 0; n < batch; n++)
        {
            upstream[n] = (float)((random.NextDouble() * 2) - 0.5);
        }

        double[] u = Array.ConvertAll(upstream, v => (double)v);
        foreach (bool concatenated in new[] { false, true })
        {
            CtcTargets targets = data.Targets(concatenated);
            float[] losses = new float[batch];
            CtcLoss.ForwardBackwardNone(data.LogProbsFloat, data.Layout, targets, losses, upstream, grad, workspace, options);
            double[] expected = FiniteDifference.Gradient(
                z => FiniteDifference.Project(data.ReferenceLosses(CtcReference.LogSoftmax(z, classes)), u), data.Logits);
            AssertClose(expected, grad, $"none, concatenated {concatenated}");

            // Directly in log_probs: d loss / d lp = kernel gradient - upstream x exp(lp) (zero past the input length).
            double[] direct = FiniteDifference.Gradient(lp => FiniteDifference.Project(data.ReferenceLosses(lp), u), data.LogProbs);
            double[] shifted = new double[grad.Length];
            for (int i = 0; i < grad.Length; i++)
            {
                int t = i / (batch * classes), n = i / classes % batch;
                shifted[i] = grad[i] - (t < data.InputLengths[n] ? upstream[n] * Math.Exp(data.LogProbs[i]) : 0);
            }

            AssertClose(direct, shifted, $"direct, concatenated {concatenated}");

            foreach (Reduction reduction in new[] { Reduction.Sum, Reduction.Mean })
            {
                CtcLoss.ForwardBackward(data.LogProbsFloat, data.Layout, targets, grad, workspace, options, reduction);
                double[] reduced = FiniteDifference.Gradient(
                    z => CtcReference.Reduce(data.ReferenceLosses(CtcReference.LogSoftmax(z, classes)), data.TargetLengths, false, reduction)[0],
                    data.Logits);
                AssertClose(reduced, grad, $"{reduction}, concatenated {concatenated}");
            }
        }
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, string what) =>
        AssertClose(expected, Array.ConvertAll(actual.ToArray(), v => (double)v), what);

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= (Rtol * Math.Abs(expected[i])) + Atol,
                $"{what}: element {i}: finite differences {expected[i]:R}, kernel {actual[i]:R}");
        }
    }
}
