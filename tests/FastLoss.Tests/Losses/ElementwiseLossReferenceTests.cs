namespace FastLoss.Tests.Losses;

/// <summary>
/// Every elementwise loss, option and reduction against the float64 reference at every length from 0 to 300
/// (every SIMD tail at widths 16, 8 and 4) and at 1,000,003 elements, with random and adversarial values.
/// Tolerance: per element 1e-5 relative plus 1e-6 absolute (scaled by the reduction); sums 2e-5 relative to the
/// sum of |terms|, which bounds float32 accumulation in lanes folded into a double. Where a loss's float32 form
/// cancels (BCEWithLogits), "relative" is to the size of the cancelling terms, as for torch's own kernel.
/// </summary>
public class ElementwiseLossReferenceTests
{
    private const double RelativeTolerance = 1e-5;
    private const double AbsoluteTolerance = 1e-6;
    private const double SumTolerance = 2e-5;

    public static TheoryData<string> LossNames()
    {
        var data = new TheoryData<string>();
        foreach (var loss in ElementwiseLossCase.All())
        {
            data.Add(loss.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Matches_the_float64_reference_at_every_length_up_to_300(string name)
    {
        var loss = Find(name);
        for (int n = 0; n <= 300; n++)
        {
            CheckAll(loss, n, seed: n, adversarial: n % 2 == 1);
        }
    }

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Matches_the_float64_reference_at_a_million_elements(string name)
    {
        CheckAll(Find(name), 1_000_003, seed: 7, adversarial: true, reducedOnly: true);
    }

    internal static ElementwiseLossCase Find(string name)
    {
        foreach (var loss in ElementwiseLossCase.All())
        {
            if (loss.Name == name)
            {
                return loss;
            }
        }

        throw new ArgumentException($"no loss case named {name}");
    }

    /// <param name="reducedOnly">Check only the sum, the mean and the fused pass (the long sums are what a large size adds).</param>
    private static void CheckAll(ElementwiseLossCase loss, int n, int seed, bool adversarial, bool reducedOnly = false)
    {
        var (x, y, w, p) = LossData.Make(loss, n, seed, adversarial);
        var refLoss = new double[n];
        var magnitude = new double[n];
        var refGrad = new double[n];
        double refSum = 0;
        double absSum = 0;
        for (int i = 0; i < n; i++)
        {
            var (l, g) = loss.Reference(x[i], y[i], loss.UsesWeight ? w[i] : 1, loss.UsesPosWeight ? p[i] : 1);
            refLoss[i] = l;
            refGrad[i] = g;
            magnitude[i] = loss.Magnitude?.Invoke(x[i], y[i], loss.UsesWeight ? w[i] : 1, loss.UsesPosWeight ? p[i] : 1) ?? Math.Abs(l);
            refSum += l;
            absSum += magnitude[i];
        }

        double refMean = refSum / n;
        string where = $"{loss.Name}, n={n}";

        AssertSum(refSum, absSum, loss.Forward(x, y, w, p, Reduction.Sum), where + ", sum");
        if (n == 0)
        {
            Assert.True(float.IsNaN(loss.Forward(x, y, w, p, Reduction.Mean)), "the mean of no elements is NaN, as in torch");
        }
        else
        {
            AssertSum(refMean, absSum / n, loss.Forward(x, y, w, p, Reduction.Mean), where + ", mean");
        }

        var fusedGrad = new float[n];
        float fused = loss.ForwardBackward(x, y, w, p, fusedGrad, Reduction.Sum);
        AssertSum(refSum, absSum, fused, where + ", fused sum");
        AssertElements(refGrad, 1, fusedGrad, where + ", fused sum gradient");
        if (n > 0)
        {
            fused = loss.ForwardBackward(x, y, w, p, fusedGrad, Reduction.Mean);
            AssertSum(refMean, absSum / n, fused, where + ", fused mean");
            AssertElements(refGrad, 1.0 / n, fusedGrad, where + ", fused mean gradient");
        }

        if (reducedOnly)
        {
            return;
        }

        var none = new float[n];
        loss.ForwardNone(x, y, w, p, none);
        for (int i = 0; i < n; i++)
        {
            AssertClose(refLoss[i], none[i], where + $", none [{i}]", magnitude[i]);
        }

        var grad = new float[n];
        loss.Backward(x, y, w, p, grad, Reduction.Sum, 1f);
        AssertElements(refGrad, 1, grad, where + ", backward sum");

        if (n > 0)
        {
            loss.Backward(x, y, w, p, grad, Reduction.Mean, 3f);
            AssertElements(refGrad, 3.0 / n, grad, where + ", backward mean with upstream 3");
        }

        var upstream = new float[n];
        for (int i = 0; i < n; i++)
        {
            upstream[i] = (i % 3) - 1.5f;
        }

        loss.BackwardNone(x, y, w, p, upstream, grad);
        for (int i = 0; i < n; i++)
        {
            AssertClose(refGrad[i] * upstream[i], grad[i], where + $", backward none [{i}]");
        }

        if (loss.TargetBackward is null)
        {
            // torch gives this loss's target no gradient, and the generator writes no target kernels for it.
            Assert.Null(loss.Kernels!.GetMethod("TargetBackward"));
            return;
        }

        // The target's gradient (torch's, for a float target that requires grad).
        var refTarget = new double[n];
        var targetMagnitude = new double[n];
        for (int i = 0; i < n; i++)
        {
            double wi = loss.UsesWeight ? w[i] : 1, pi = loss.UsesPosWeight ? p[i] : 1;
            refTarget[i] = loss.TargetReference!(x[i], y[i], wi, pi);
            targetMagnitude[i] = loss.UsesPosWeight || loss.Name.StartsWith("BCEWithLogits", StringComparison.Ordinal)
                ? Math.Abs(wi) * (Math.Abs(x[i]) + (Math.Abs(pi) * (Math.Abs(x[i]) + 1)))
                : loss.TargetMagnitude?.Invoke(x[i], y[i]) ?? 0;
        }

        loss.TargetBackward(x, y, w, p, grad, Reduction.Sum, 1f);
        AssertTargetElements(refTarget, 1, grad, targetMagnitude, where + ", target backward sum");
        if (n > 0)
        {
            loss.TargetBackward(x, y, w, p, grad, Reduction.Mean, 3f);
            AssertTargetElements(refTarget, 3.0 / n, grad, targetMagnitude, where + ", target backward mean with upstream 3");
        }

        loss.TargetBackwardNone!(x, y, w, p, upstream, grad);
        for (int i = 0; i < n; i++)
        {
            AssertTarget(refTarget[i] * upstream[i], grad[i], targetMagnitude[i] * Math.Abs(upstream[i]), where + $", target backward none [{i}]");
        }
    }

    private static void AssertTargetElements(double[] expected, double factor, float[] actual, double[] magnitude, string where)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            AssertTarget(expected[i] * factor, actual[i], magnitude[i] * Math.Abs(factor), $"{where} [{i}]");
        }
    }

    /// <summary>As <see cref="AssertClose"/>; an infinite gradient (BCE at x = 0 or 1) must be the same infinity, and one that overflows float must too.</summary>
    private static void AssertTarget(double expected, float actual, double magnitude, string where)
    {
        if (double.IsInfinity(expected) || Math.Abs(expected) > float.MaxValue)
        {
            Assert.True(float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(expected), $"{where}: expected {expected:R}, got {actual:R}");
            return;
        }

        AssertClose(expected, actual, where, magnitude);
    }

    private static void AssertSum(double expected, double scale, float actual, string where)
    {
        double tolerance = (SumTolerance * scale) + AbsoluteTolerance;
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{where}: expected {expected:R}, got {actual:R} (tolerance {tolerance:R})");
    }

    private static void AssertElements(double[] expected, double factor, float[] actual, string where)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i] * factor, actual[i], $"{where} [{i}]");
        }
    }

    private static void AssertClose(double expected, float actual, string where, double magnitude = 0)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            // torch's NaN (KLDivLoss' target gradient at a zero target) and infinities must be reproduced exactly.
            Assert.True(expected.Equals((double)actual), $"{where}: expected {expected:R}, got {actual:R}");
            return;
        }

        double tolerance = (RelativeTolerance * Math.Max(Math.Abs(expected), magnitude)) + AbsoluteTolerance;
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{where}: expected {expected:R}, got {actual:R}");
    }
}
