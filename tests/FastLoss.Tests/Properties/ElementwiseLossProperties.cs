using System.Globalization;
using System.Text;
using CsCheck;
using FastLoss.Tests.Losses;

namespace FastLoss.Tests.Properties;

/// <summary>
/// Every elementwise loss through every span entry point against the float64 reference, over generated cases:
/// lengths 0 to 1,000, random beta and delta, random upstream gradients, and values with ±0, subnormals, huge
/// magnitudes, infinities and NaN (BCE's inputs and targets, and BCEWithLogits' targets, in [0, 1], their domain;
/// BCEWithLogits' logits up to 1e36, see <see cref="Values.Logit"/>).
/// The reference follows torch where a special value has no mathematical answer (torch's sign(NaN) = 0, its
/// comparison order in the SmoothL1 and Huber backward kernels, BCEWithLogits' NaN at x = -inf).
/// Tolerances as <see cref="ElementwiseLossReferenceTests"/>: 1e-5 relative plus 1e-6 per element, 2e-5 of the
/// summed term sizes for reductions.
/// </summary>
public sealed class ElementwiseLossProperties
{
    private const double Relative = 1e-5;
    private const double Absolute = 1e-6;
    private const double SumRelative = 2e-5;

    private static readonly ElementwiseLossCase[] FixedOptionLosses = FixedOptions();

    private static readonly Gen<ElementwiseLossCase> Losses = Gen.Frequency(
        (8, Gen.Int[0, FixedOptionLosses.Length - 1].Select(i => FixedOptionLosses[i])),
        (2, Gen.Float[0.001f, 5f].Select(ElementwiseLossCase.SmoothL1Case)),
        (1, Gen.Const(ElementwiseLossCase.SmoothL1Case(0f))),
        (2, Gen.Float[0.001f, 5f].Select(ElementwiseLossCase.HuberCase)));

    private static readonly Gen<LossSample> Samples = Losses.SelectMany(loss => Values.Length.SelectMany(n => Gen.Select(
        InputValues(loss).Array[n],
        TargetValues(loss).Array[n],
        Values.Weight.Array[n],
        Gen.Float[0f, 4f].Array[n],
        Values.Upstream.Array[n],
        Values.Upstream,
        (x, y, w, p, u, scalar) => new LossSample(loss, x, y, w, p, u, scalar))));

    [Fact]
    public void Every_span_entry_point_matches_the_float64_reference() =>
        PropertyCheck.Run(Samples, Check, ciIterations: 400);

    private static void Check(LossSample sample)
    {
        ElementwiseLossCase loss = sample.Loss;
        float[] x = sample.Input, y = sample.Target, w = sample.Weight, p = sample.PosWeight, u = sample.Upstream;
        int n = x.Length;
        var terms = new double[n];
        var magnitudes = new double[n];
        var gradients = new double[n];
        var gradientMagnitudes = new double[n];
        var targetGradients = new double[n];
        var targetMagnitudes = new double[n];
        bool logits = loss.Name.StartsWith("BCEWithLogits", StringComparison.Ordinal);
        for (int i = 0; i < n; i++)
        {
            double wi = loss.UsesWeight ? w[i] : 1, pi = loss.UsesPosWeight ? p[i] : 1;
            (terms[i], gradients[i]) = loss.Reference(x[i], y[i], wi, pi);
            magnitudes[i] = loss.Magnitude?.Invoke(x[i], y[i], wi, pi) ?? Math.Abs(terms[i]);
            targetGradients[i] = loss.TargetReference!(x[i], y[i], wi, pi);
            if (logits)
            {
                // (p y + 1 - y) sigmoid(x) - p y and log_sigmoid(-x) - p log_sigmoid(x) cancel: their error is relative to the parts.
                gradientMagnitudes[i] = Math.Abs(wi) * ((Math.Abs((pi * y[i]) + 1 - y[i])) + Math.Abs(pi * y[i]));
                targetMagnitudes[i] = Math.Abs(wi) * (Math.Abs(x[i]) + (Math.Abs(pi) * (Math.Abs(x[i]) + 1)));
            }
        }

        string where = $"{loss.Name}, n={n}";

        // Reductions, and the fused pass that returns the reduced value and writes its gradient.
        Expect.Reduced(terms, magnitudes, 1, loss.Forward(x, y, w, p, Reduction.Sum), SumRelative, Absolute, where + ", sum");
        Expect.Reduced(terms, magnitudes, n, loss.Forward(x, y, w, p, Reduction.Mean), SumRelative, Absolute, where + ", mean");
        float[] grad = new float[n];
        Expect.Reduced(terms, magnitudes, 1, loss.ForwardBackward(x, y, w, p, grad, Reduction.Sum), SumRelative, Absolute, where + ", fused sum");
        Elements(gradients, 1, grad, gradientMagnitudes, sample, where + ", fused sum gradient");
        if (n > 0)
        {
            Expect.Reduced(terms, magnitudes, n, loss.ForwardBackward(x, y, w, p, grad, Reduction.Mean), SumRelative, Absolute, where + ", fused mean");
            Elements(gradients, 1.0 / n, grad, gradientMagnitudes, sample, where + ", fused mean gradient", n);
        }

        // Unreduced values and gradients, then the reduced gradients with an upstream factor.
        float[] none = new float[n];
        loss.ForwardNone(x, y, w, p, none);
        Elements(terms, 1, none, magnitudes, sample, where + ", none");

        loss.BackwardNone(x, y, w, p, u, grad);
        Elements(gradients, u, grad, gradientMagnitudes, sample, where + ", backward none");
        loss.TargetBackwardNone!(x, y, w, p, u, grad);
        Elements(targetGradients, u, grad, targetMagnitudes, sample, where + ", target backward none");

        float scalar = sample.ScalarUpstream;
        loss.Backward(x, y, w, p, grad, Reduction.Sum, scalar);
        Elements(gradients, scalar, grad, gradientMagnitudes, sample, where + $", backward sum, upstream {scalar:R}");
        loss.TargetBackward!(x, y, w, p, grad, Reduction.Sum, scalar);
        Elements(targetGradients, scalar, grad, targetMagnitudes, sample, where + $", target backward sum, upstream {scalar:R}");
        if (n > 0)
        {
            loss.Backward(x, y, w, p, grad, Reduction.Mean, scalar);
            Elements(gradients, (double)scalar / n, grad, gradientMagnitudes, sample, where + $", backward mean, upstream {scalar:R}", n);
            loss.TargetBackward!(x, y, w, p, grad, Reduction.Mean, scalar);
            Elements(targetGradients, (double)scalar / n, grad, targetMagnitudes, sample, where + $", target backward mean, upstream {scalar:R}", n);
        }
    }

    /// <param name="n">The mean's divisor the factor includes (1 otherwise).</param>
    private static void Elements(double[] expected, double factor, float[] actual, double[] magnitude, LossSample sample, string what, int n = 1)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Element(expected[i], factor, actual[i], magnitude[i], sample, what, i, n);
        }
    }

    private static void Elements(double[] expected, float[] factors, float[] actual, double[] magnitude, LossSample sample, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Element(expected[i], factors[i], actual[i], magnitude[i], sample, what, i);
        }
    }

    /// <summary>
    /// A zero factor times an infinite or NaN reference is torch's NaN (0 * inf), computed the same way here. Where the
    /// gradient times the upstream factor before the mean's 1/n passes float's maximum, torch's float32 product is
    /// infinite: that infinity is accepted too.
    /// </summary>
    private static void Element(double expected, double factor, float actual, double magnitude, LossSample sample, string what, int i, int n = 1)
    {
        double value = expected * factor;
        if (Expect.IsClose(value, actual, Relative, Absolute, magnitude * Math.Abs(factor)))
        {
            return;
        }

        double unscaled = Math.Max(Math.Abs(expected), Math.Abs(value * n));
        bool overflows = unscaled > float.MaxValue && float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(value);
        Assert.True(overflows, string.Create(CultureInfo.InvariantCulture, $"{what} [{i}]: expected {value:R}, got {actual:R} ({sample.Element(i)})"));
    }

    private static Gen<float> InputValues(ElementwiseLossCase loss) =>
        loss.ProbabilityInput ? Values.Probability : loss.Name.StartsWith("BCEWithLogits", StringComparison.Ordinal) ? Values.Logit : Values.Any;

    private static Gen<float> TargetValues(ElementwiseLossCase loss) =>
        loss.ProbabilityInput || loss.Name.StartsWith("BCEWithLogits", StringComparison.Ordinal) ? Values.Probability : Values.Any;

    private static ElementwiseLossCase[] FixedOptions()
    {
        var losses = new List<ElementwiseLossCase>();
        foreach (ElementwiseLossCase loss in ElementwiseLossCase.All())
        {
            // Losses with a domain of their own (KLDiv, PoissonNll, SoftMargin, HingeEmbedding: log-probabilities,
            // counts, ±1 labels) meet their special values in SpecialValueParityTests, against libtorch itself.
            if (!loss.Name.StartsWith("SmoothL1", StringComparison.Ordinal) && !loss.Name.StartsWith("Huber", StringComparison.Ordinal) && loss.Sample is null)
            {
                losses.Add(loss);
            }
        }

        return [.. losses];
    }

    /// <summary>One generated case; printed in full (round-trip floats) when a property fails.</summary>
    internal sealed record LossSample(ElementwiseLossCase Loss, float[] Input, float[] Target, float[] Weight, float[] PosWeight, float[] Upstream, float ScalarUpstream)
    {
        public override string ToString()
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{Loss.Name}, n = {Input.Length}, scalar upstream {ScalarUpstream:R}");
            for (int i = 0; i < Input.Length; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n  [{i}] {Element(i)}");
            }

            return text.ToString();
        }

        public string Element(int i) =>
            string.Create(CultureInfo.InvariantCulture, $"x {Input[i]:R}, y {Target[i]:R}, w {Weight[i]:R}, p {PosWeight[i]:R}, upstream {Upstream[i]:R}");
    }
}
