using FastLoss.Functional;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Runs every span-level entry point of <see cref="CrossEntropy"/> (Forward, ForwardNone, ForwardBackward,
/// ForwardBackwardNone, Backward, BackwardNone)
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
        var options = new CrossEntropyOptions { Weight = weight, IgnoreIndex = ignoreIndex, LabelSmoothing = eps };
        var (entries, reduced) = ClassificationReference.CrossEntropyIndex(xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps);
        double[] expectedGrad = ClassificationReference.CrossEntropyIndexGradient(
            xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps, upstream: null);
        var grad = new float[layout.Length];
        var scaled = new float[layout.Length];

        if (reduction == Reduction.None)
        {
            var losses = new float[layout.Entries];
            CrossEntropy.ForwardNone(x, layout, y, losses, options);
            CheckLoss(entries, reduced, reduction, losses, what);

            var fusedLosses = new float[layout.Entries];
            CrossEntropy.ForwardBackwardNone(x, layout, y, fusedLosses, grad, options);
            Assert.Equal(losses, fusedLosses);
            CheckGradient(expectedGrad, grad, 1.0, what + " fused gradient");

            CrossEntropy.Backward(x, layout, y, scaled, options, Reduction.None, -0.75f);
            CheckGradient(expectedGrad, scaled, -0.75, what + " backward(-0.75)");

            float[] upstream = Upstream(layout.Entries);
            var perEntry = new float[layout.Length];
            CrossEntropy.BackwardNone(x, layout, y, upstream, perEntry, options);
            double[] expected = ClassificationReference.CrossEntropyIndexGradient(
                xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps, ClassificationData.ToDouble(upstream));
            CheckGradient(expected, perEntry, 1.0, what + " backward none");
            return;
        }

        float loss = CrossEntropy.Forward(x, layout, y, options, reduction);
        CheckLoss(entries, reduced, reduction, [loss], what);
        Assert.Equal(loss, CrossEntropy.ForwardBackward(x, layout, y, grad, options, reduction));
        CheckGradient(expectedGrad, grad, 1.0, what + " fused gradient");
        CrossEntropy.Backward(x, layout, y, scaled, options, reduction, -0.75f);
        CheckGradient(expectedGrad, scaled, -0.75, what + " backward(-0.75)");
    }

    public static void CheckProbabilities(float[] x, ClassLayout layout, float[] t, float[]? weight, Reduction reduction, float eps, string what)
    {
        double[] xd = ClassificationData.ToDouble(x);
        double[] td = ClassificationData.ToDouble(t);
        double[]? wd = weight is null ? null : ClassificationData.ToDouble(weight);
        var options = new CrossEntropyOptions { Weight = weight, LabelSmoothing = eps };
        var (entries, reduced) = ClassificationReference.CrossEntropyProbabilities(xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps);
        double[] expectedGrad = ClassificationReference.CrossEntropyProbabilitiesGradient(
            xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps, upstream: null);
        var grad = new float[layout.Length];
        var scaled = new float[layout.Length];

        if (reduction == Reduction.None)
        {
            var losses = new float[layout.Entries];
            CrossEntropy.ForwardNone(x, layout, t, losses, options);
            CheckLoss(entries, reduced, reduction, losses, what);

            var fusedLosses = new float[layout.Entries];
            CrossEntropy.ForwardBackwardNone(x, layout, t, fusedLosses, grad, options);
            Assert.Equal(losses, fusedLosses);
            CheckGradient(expectedGrad, grad, 1.0, what + " fused gradient");

            CrossEntropy.Backward(x, layout, t, scaled, options, Reduction.None, 2.5f);
            CheckGradient(expectedGrad, scaled, 2.5, what + " backward(2.5)");

            float[] upstream = Upstream(layout.Entries);
            var perEntry = new float[layout.Length];
            CrossEntropy.BackwardNone(x, layout, t, upstream, perEntry, options);
            double[] expected = ClassificationReference.CrossEntropyProbabilitiesGradient(
                xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps, ClassificationData.ToDouble(upstream));
            CheckGradient(expected, perEntry, 1.0, what + " backward none");
            return;
        }

        float loss = CrossEntropy.Forward(x, layout, t, options, reduction);
        CheckLoss(entries, reduced, reduction, [loss], what);
        Assert.Equal(loss, CrossEntropy.ForwardBackward(x, layout, t, grad, options, reduction));
        CheckGradient(expectedGrad, grad, 1.0, what + " fused gradient");
        CrossEntropy.Backward(x, layout, t, scaled, options, reduction, 2.5f);
        CheckGradient(expectedGrad, scaled, 2.5, what + " backward(2.5)");
    }

    public static void CheckLoss(double[] entries, double reduced, Reduction reduction, float[] output, string what)
    {
        if (reduction == Reduction.None)
        {
            ClassificationData.AssertAllClose(entries, output, LossRtol, LossAtol, what + " losses");
        }
        else
        {
            // A sum adds each entry's rounding (an ulp of log(sum exp) each, even where the exact loss is 0).
            double atol = reduction == Reduction.Sum ? LossAtol * Math.Max(1, entries.Length) : LossAtol;
            ClassificationData.AssertClose(reduced, output[0], LossRtol, atol, what + " loss");
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

    private static float[] Upstream(int entries)
    {
        var random = new Random(entries);
        var u = new float[entries];
        for (int n = 0; n < entries; n++)
        {
            u[n] = (float)((random.NextDouble() * 2) - 1);
        }

        return u;
    }
}
