using FastLoss.Functional;
using static FastLoss.Tests.Classification.CrossEntropySweep;

namespace FastLoss.Tests.Classification;

/// <summary>
/// The float32 gradients of the kernels against central finite differences of the float64 reference losses
/// (<see cref="FiniteDifference"/>), on small shapes, for every option. Tolerance: 1e-4 relative + 1e-6 absolute
/// (the kernels round to float32; the differences are accurate to ~1e-9).
/// </summary>
public class ClassificationGradientCheckTests
{
    private const double Rtol = 1e-4;
    private const double Atol = 1e-6;

    public static TheoryData<int[]> SmallShapes() => new()
    {
        new[] { 3, 5 },
        new[] { 2, 17 },
        new[] { 5 },
        new[] { 2, 3, 4 },
        new[] { 1, 4, 1, 7 },
        new[] { 2, 3, 17 },
    };

    [Theory]
    [MemberData(nameof(SmallShapes))]
    public void Cross_entropy_with_index_targets_has_the_finite_difference_gradient(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(shape.Sum() * 31);
        float[] x = ClassificationData.Logits(random, layout.Length, spread: 2f);
        double[] xd = ClassificationData.ToDouble(x);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        double[] wd = ClassificationData.ToDouble(w);
        long[] baseTargets = ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);
        float[] upstream = ClassificationData.Logits(random, layout.Entries, spread: 1f);
        double[] ud = ClassificationData.ToDouble(upstream);

        foreach (Ignored ignored in Enum.GetValues<Ignored>())
        {
            var (y, ignoreIndex) = Targets(baseTargets, ignored);
            foreach (bool weighted in new[] { false, true })
            {
                foreach (Reduction reduction in Reductions)
                {
                    foreach (float eps in Smoothings)
                    {
                        string what = $"{layout} ignored={ignored} weighted={weighted} {reduction} eps={eps}";
                        var options = new CrossEntropyOptions { Weight = weighted ? w : [], IgnoreIndex = ignoreIndex, LabelSmoothing = eps };
                        var grad = new float[layout.Length];
                        if (reduction == Reduction.None)
                        {
                            CrossEntropy.BackwardNone(x, layout, y, upstream, grad, options);
                        }
                        else
                        {
                            CrossEntropy.Backward(x, layout, y, grad, options, reduction);
                        }

                        double Loss(double[] p)
                        {
                            var (entries, reduced) = ClassificationReference.CrossEntropyIndex(
                                p, layout.Batch, layout.Classes, layout.Inner, y, weighted ? wd : null, ignoreIndex, reduction, eps);
                            return reduction == Reduction.None ? FiniteDifference.Project(entries, ud) : reduced;
                        }

                        if (double.IsNaN(Loss(xd)))
                        {
                            // Mean over all-ignored targets: the loss is NaN (0/0) and torch's gradient is all zeros.
                            Assert.All(grad, g => Assert.Equal(0f, g));
                            continue;
                        }

                        ClassificationData.AssertAllClose(FiniteDifference.Gradient(Loss, xd), grad, Rtol, Atol, what);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(SmallShapes))]
    public void Cross_entropy_with_probability_targets_has_the_finite_difference_gradient(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(shape.Sum() * 37);
        float[] x = ClassificationData.Logits(random, layout.Length, spread: 2f);
        double[] xd = ClassificationData.ToDouble(x);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        double[] wd = ClassificationData.ToDouble(w);
        float[] t = ClassificationData.Probabilities(random, layout.Batch, layout.Classes, layout.Inner);
        double[] td = ClassificationData.ToDouble(t);
        float[] upstream = ClassificationData.Logits(random, layout.Entries, spread: 1f);
        double[] ud = ClassificationData.ToDouble(upstream);

        foreach (bool weighted in new[] { false, true })
        {
            foreach (Reduction reduction in Reductions)
            {
                foreach (float eps in Smoothings)
                {
                    var options = new CrossEntropyOptions { Weight = weighted ? w : [], LabelSmoothing = eps };
                    var grad = new float[layout.Length];
                    if (reduction == Reduction.None)
                    {
                        CrossEntropy.BackwardNone(x, layout, t, upstream, grad, options);
                    }
                    else
                    {
                        CrossEntropy.Backward(x, layout, t, grad, options, reduction);
                    }

                    double Loss(double[] p)
                    {
                        var (entries, reduced) = ClassificationReference.CrossEntropyProbabilities(
                            p, layout.Batch, layout.Classes, layout.Inner, td, weighted ? wd : null, reduction, eps);
                        return reduction == Reduction.None ? FiniteDifference.Project(entries, ud) : reduced;
                    }

                    ClassificationData.AssertAllClose(
                        FiniteDifference.Gradient(Loss, xd), grad, Rtol, Atol, $"{layout} probabilities weighted={weighted} {reduction} eps={eps}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(SmallShapes))]
    public void Nll_loss_has_the_finite_difference_gradient(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(shape.Sum() * 41);
        float[] x = ClassificationData.Logits(random, layout.Length, spread: 2f);
        double[] xd = ClassificationData.ToDouble(x);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        double[] wd = ClassificationData.ToDouble(w);
        float[] upstream = ClassificationData.Logits(random, layout.Entries, spread: 1f);
        double[] ud = ClassificationData.ToDouble(upstream);
        var (y, ignoreIndex) = Targets(ClassificationData.IndexTargets(random, layout.Entries, layout.Classes), Ignored.SomeOutOfRangeIndex);

        foreach (bool weighted in new[] { false, true })
        {
            foreach (Reduction reduction in Reductions)
            {
                var options = new NllLossOptions { Weight = weighted ? w : [], IgnoreIndex = ignoreIndex };
                var grad = new float[layout.Length];
                if (reduction == Reduction.None)
                {
                    NllLoss.BackwardNone(layout, y, upstream, grad, options);
                }
                else
                {
                    NllLoss.Backward(layout, y, grad, options, reduction);
                }

                double Loss(double[] p)
                {
                    var (entries, reduced) = ClassificationReference.Nll(p, layout.Batch, layout.Classes, layout.Inner, y, weighted ? wd : null, ignoreIndex, reduction);
                    return reduction == Reduction.None ? FiniteDifference.Project(entries, ud) : reduced;
                }

                if (double.IsNaN(Loss(xd)))
                {
                    // A single (C) entry hit by the ignore index: mean is 0/0 = NaN and the gradient is all zeros.
                    Assert.All(grad, g => Assert.Equal(0f, g));
                    continue;
                }

                ClassificationData.AssertAllClose(FiniteDifference.Gradient(Loss, xd), grad, Rtol, Atol, $"{layout} nll weighted={weighted} {reduction}");
            }
        }
    }

    /// <summary>Softmax and log-softmax backward against the differences of sum(r * f(x)) for a random r, over every dim.</summary>
    [Theory]
    [InlineData(new[] { 3, 5 }, 1)]
    [InlineData(new[] { 3, 5 }, 0)]
    [InlineData(new[] { 2, 3, 17 }, 1)]
    [InlineData(new[] { 2, 3, 17 }, -1)]
    [InlineData(new[] { 1, 4, 1, 7 }, 1)]
    [InlineData(new[] { 6 }, 0)]
    public void Softmax_and_log_softmax_have_the_finite_difference_gradient(int[] shape, int dim)
    {
        ClassLayout layout = ClassLayout.ForDim(shape, dim);
        var random = new Random(shape.Sum() + dim);
        float[] x = ClassificationData.Logits(random, layout.Length, spread: 2f);
        double[] xd = ClassificationData.ToDouble(x);
        float[] r = ClassificationData.Logits(random, layout.Length, spread: 1f);
        double[] rd = ClassificationData.ToDouble(r);

        foreach (bool log in new[] { false, true })
        {
            var y = new float[layout.Length];
            var grad = new float[layout.Length];
            if (log)
            {
                LogSoftmaxKernel.Forward(x, layout, y);
                LogSoftmaxKernel.Backward(y, r, layout, grad);
            }
            else
            {
                SoftmaxKernel.Forward(x, layout, y);
                SoftmaxKernel.Backward(y, r, layout, grad);
            }

            double Projected(double[] p) => FiniteDifference.Project(
                log ? ClassificationReference.LogSoftmax(p, layout.Batch, layout.Classes, layout.Inner)
                    : ClassificationReference.Softmax(p, layout.Batch, layout.Classes, layout.Inner),
                rd);

            ClassificationData.AssertAllClose(FiniteDifference.Gradient(Projected, xd), grad, Rtol, Atol, $"{layout} log={log}");
        }
    }
}
