using FastLoss.Functional;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Runs every span-level entry point of <see cref="CrossEntropy"/> (Forward, ForwardBackward, Backward, BackwardNone)
/// for one shape and one set of options and compares with <see cref="ClassificationReference"/>.
/// Tolerances: losses 2e-5 relative + 2e-6 absolute (float32 rounding of log-sum-exp and of the sums);
/// gradients 1e-4 relative + 1e-5 x the largest reference gradient (the reduction's 1/N scales every entry),
/// at least 1e-7 x the upstream gradient.
/// </summary>
internal static class CrossEntropySweep
{
    public const double LossRtol = 2e-5;
    public const double LossAtol = 2e-6;
    public const double GradRtol = 1e-4;
    public const double GradAtolFactor = 1e-5;

    public enum Ignored
    {
        Nothing,
        SomeOutOfRangeIndex,
        SomeInRangeIndex,
        Everything,
    }

    public static readonly Reduction[] Reductions = [Reduction.None, Reduction.Mean, Reduction.Sum];

    public static readonly float[] Smoothings = [0f, 0.1f];

    /// <summary>Targets and the ignore index for a case: -100 on every third entry, class 0 as the ignore index, or all ignored.</summary>
    public static (long[] Targets, long IgnoreIndex) Targets(long[] targets, Ignored ignored)
    {
        long[] y = (long[])targets.Clone();
        switch (ignored)
        {
            case Ignored.SomeOutOfRangeIndex:
                for (int n = 0; n < y.Length; n += 3)
                {
                    y[n] = -100;
                }

                return (y, -100);
            case Ignored.SomeInRangeIndex:
                // Class 0 is the ignore index: entries whose target is 0 drop out.
                y[0] = 0;
                return (y, 0);
            case Ignored.Everything:
                Array.Fill(y, -100L);
                return (y, -100);
            default:
                return (y, -100);
        }
    }

    public static void CheckIndex(float[] x, ClassLayout layout, long[] y, float[]? weight, long ignoreIndex, Reduction reduction, float eps, string what)
    {
        double[] xd = ClassificationData.ToDouble(x);
        double[]? wd = weight is null ? null : ClassificationData.ToDouble(weight);
        var options = new CrossEntropyOptions { Weight = weight, IgnoreIndex = ignoreIndex, Reduction = reduction, LabelSmoothing = eps };
        int outputLength = reduction == Reduction.None ? layout.Entries : 1;

        var (entries, reduced) = ClassificationReference.CrossEntropyIndex(xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps);
        var output = new float[outputLength];
        CrossEntropy.Forward(x, layout, y, output, options);
        CheckLoss(entries, reduced, reduction, output, what);

        var fusedOutput = new float[outputLength];
        var grad = new float[layout.Length];
        CrossEntropy.ForwardBackward(x, layout, y, fusedOutput, grad, options);
        Assert.Equal(output, fusedOutput);
        double[] expectedGrad = ClassificationReference.CrossEntropyIndexGradient(
            xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps, upstream: null);
        CheckGradient(expectedGrad, grad, 1.0, what + " fused gradient");

        var scaled = new float[layout.Length];
        CrossEntropy.Backward(x, layout, y, -0.75f, scaled, options);
        CheckGradient(expectedGrad, scaled, -0.75, what + " backward(-0.75)");

        if (reduction == Reduction.None)
        {
            double[] upstream = Upstream(layout.Entries);
            var perEntry = new float[layout.Length];
            CrossEntropy.BackwardNone(x, layout, y, ToFloat(upstream), perEntry, options);
            double[] expected = ClassificationReference.CrossEntropyIndexGradient(
                xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps, ToDouble(ToFloat(upstream)));
            CheckGradient(expected, perEntry, 1.0, what + " backward none");
        }
    }

    public static void CheckProbabilities(float[] x, ClassLayout layout, float[] t, float[]? weight, Reduction reduction, float eps, string what)
    {
        double[] xd = ClassificationData.ToDouble(x);
        double[] td = ClassificationData.ToDouble(t);
        double[]? wd = weight is null ? null : ClassificationData.ToDouble(weight);
        var options = new CrossEntropyOptions { Weight = weight, Reduction = reduction, LabelSmoothing = eps };
        int outputLength = reduction == Reduction.None ? layout.Entries : 1;

        var (entries, reduced) = ClassificationReference.CrossEntropyProbabilities(xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps);
        var output = new float[outputLength];
        CrossEntropy.Forward(x, layout, t, output, options);
        CheckLoss(entries, reduced, reduction, output, what);

        var fusedOutput = new float[outputLength];
        var grad = new float[layout.Length];
        CrossEntropy.ForwardBackward(x, layout, t, fusedOutput, grad, options);
        Assert.Equal(output, fusedOutput);
        double[] expectedGrad = ClassificationReference.CrossEntropyProbabilitiesGradient(
            xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps, upstream: null);
        CheckGradient(expectedGrad, grad, 1.0, what + " fused gradient");

        var scaled = new float[layout.Length];
        CrossEntropy.Backward(x, layout, t, 2.5f, scaled, options);
        CheckGradient(expectedGrad, scaled, 2.5, what + " backward(2.5)");

        if (reduction == Reduction.None)
        {
            float[] upstream = ToFloat(Upstream(layout.Entries));
            var perEntry = new float[layout.Length];
            CrossEntropy.BackwardNone(x, layout, t, upstream, perEntry, options);
            double[] expected = ClassificationReference.CrossEntropyProbabilitiesGradient(
                xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps, ToDouble(upstream));
            CheckGradient(expected, perEntry, 1.0, what + " backward none");
        }
    }

    public static void CheckLoss(double[] entries, double reduced, Reduction reduction, float[] output, string what)
    {
        if (reduction == Reduction.None)
        {
            ClassificationData.AssertAllClose(entries, output, LossRtol, LossAtol, what + " losses");
        }
        else
        {
            ClassificationData.AssertClose(reduced, output[0], LossRtol, LossAtol, what + " loss");
        }
    }

    public static void CheckGradient(double[] expected, float[] actual, double upstream, string what)
    {
        var scaled = new double[expected.Length];
        for (int k = 0; k < expected.Length; k++)
        {
            scaled[k] = expected[k] * upstream;
        }

        // A floor of 1e-7 x upstream for gradients that are zero in exact arithmetic (e.g. one class: softmax - onehot = 0).
        double atol = Math.Max(GradAtolFactor * ClassificationData.MaxAbs(scaled), 1e-7 * Math.Abs(upstream));
        ClassificationData.AssertAllClose(scaled, actual, GradRtol, atol, what);
    }

    private static double[] Upstream(int entries)
    {
        var random = new Random(entries);
        var u = new double[entries];
        for (int n = 0; n < entries; n++)
        {
            u[n] = (random.NextDouble() * 2) - 1;
        }

        return u;
    }

    private static float[] ToFloat(double[] values) => Array.ConvertAll(values, v => (float)v);

    private static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);
}
