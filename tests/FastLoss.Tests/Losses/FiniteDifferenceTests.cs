namespace FastLoss.Tests.Losses;

/// <summary>
/// Gradients against central finite differences of the float64 reference loss (step 1e-6 relative), at points
/// away from kinks (|x - y| not near 0, beta or delta). Tolerance 1e-4 relative plus 1e-5 absolute: the
/// difference quotient itself carries about 1e-8 / h of error.
/// </summary>
public class FiniteDifferenceTests
{
    public static TheoryData<string> LossNames() => ElementwiseLossReferenceTests.LossNames();

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Gradient_matches_central_differences(string name)
    {
        var loss = ElementwiseLossReferenceTests.Find(name);
        if (loss.Smooth is not null)
        {
            CheckSmoothLoss(loss);
            return;
        }

        const int n = 97;
        var (x, y, w, p) = LossData.Make(loss, n, seed: 11, adversarial: false);
        for (int i = 0; i < n; i++)
        {
            if (loss.ProbabilityInput)
            {
                x[i] = 0.05f + (0.9f * x[i]); // away from the clamps at 0 and 1
            }
            else if (!name.StartsWith("BCEWithLogits", StringComparison.Ordinal))
            {
                float d = x[i] - y[i];
                if (MathF.Abs(d) < 0.05f || MathF.Abs(MathF.Abs(d) - 1f) < 0.05f || MathF.Abs(MathF.Abs(d) - 0.5f) < 0.05f
                    || MathF.Abs(MathF.Abs(d) - 2.5f) < 0.05f || MathF.Abs(MathF.Abs(d) - 3f) < 0.05f)
                {
                    x[i] += 0.2f;
                }
            }
        }

        var grad = new float[n];
        float loss32 = loss.ForwardBackward(x, y, w, p, grad, Reduction.Sum);
        Assert.False(float.IsNaN(loss32));
        for (int i = 0; i < n; i++)
        {
            double wi = loss.UsesWeight ? w[i] : 1;
            double pi = loss.UsesPosWeight ? p[i] : 1;
            double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            double plus = ReferenceAt(loss, x[i] + h, y[i], wi, pi);
            double minus = ReferenceAt(loss, x[i] - h, y[i], wi, pi);
            double numeric = (plus - minus) / (2 * h);
            double tolerance = (1e-4 * Math.Abs(numeric)) + 1e-5;
            Assert.True(Math.Abs(grad[i] - numeric) <= tolerance, $"{name} [{i}] x={x[i]} y={y[i]}: analytic {grad[i]}, numeric {numeric}");
        }
    }

    /// <summary>
    /// A loss with its own float64 form: the input gradient and (where torch has one) the target gradient against
    /// central differences in each, at points away from the loss's kinks and from where its gradient is NaN.
    /// </summary>
    private static void CheckSmoothLoss(ElementwiseLossCase loss)
    {
        const int n = 97;
        var (x, y, w, p) = LossData.Make(loss, n, seed: 11, adversarial: false);
        for (int i = 0; i < n; i++)
        {
            if (loss.Name.StartsWith("HingeEmbedding", StringComparison.Ordinal))
            {
                float margin = float.Parse(loss.Name[22..^1], System.Globalization.CultureInfo.InvariantCulture);
                x[i] = MathF.Abs(x[i] - margin) < 0.05f ? x[i] + 0.2f : x[i];
            }
            else if (loss.Name.StartsWith("PoissonNll", StringComparison.Ordinal))
            {
                x[i] = loss.Name.Contains("log_input=False", StringComparison.Ordinal) ? Math.Max(x[i], 0.1f) : x[i];
                y[i] = y[i] <= 0.05f || MathF.Abs(y[i] - 1f) < 0.05f ? y[i] + 0.3f : y[i]; // log y and Stirling's mask edge
            }
            else if (loss.Name == "KLDiv")
            {
                y[i] = Math.Max(y[i], 0.05f); // log y
            }
        }

        var grad = new float[n];
        loss.ForwardBackward(x, y, w, p, grad, Reduction.Sum);
        var targetGrad = new float[n];
        loss.TargetBackward?.Invoke(x, y, w, p, targetGrad, Reduction.Sum, 1f);
        for (int i = 0; i < n; i++)
        {
            double hx = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            double weight = loss.UsesWeight ? w[i] : 1;
            double numeric = weight * (loss.Smooth!(x[i] + hx, y[i]) - loss.Smooth(x[i] - hx, y[i])) / (2 * hx);
            Assert.True(Math.Abs(grad[i] - numeric) <= (1e-4 * Math.Abs(numeric)) + 1e-5, $"{loss.Name} [{i}] x={x[i]} y={y[i]}: analytic {grad[i]}, numeric {numeric}");
            if (loss.TargetBackward is not null)
            {
                double hy = 1e-6 * Math.Max(1, Math.Abs(y[i]));
                double numericTarget = weight * (loss.Smooth(x[i], y[i] + hy) - loss.Smooth(x[i], y[i] - hy)) / (2 * hy);
                Assert.True(Math.Abs(targetGrad[i] - numericTarget) <= (1e-4 * Math.Abs(numericTarget)) + 1e-5, $"{loss.Name} target [{i}] x={x[i]} y={y[i]}: analytic {targetGrad[i]}, numeric {numericTarget}");
            }
        }
    }

    /// <summary>The reference loss at a float64 point (the case's reference takes float inputs, so it is re-derived here).</summary>
    private static double ReferenceAt(ElementwiseLossCase loss, double x, double y, double w, double p)
    {
        string name = loss.Name;
        double d = x - y;
        if (name == "L1")
        {
            return Math.Abs(d);
        }

        if (name == "MSE")
        {
            return d * d;
        }

        if (name.StartsWith("SmoothL1", StringComparison.Ordinal))
        {
            double beta = double.Parse(name[14..^1], System.Globalization.CultureInfo.InvariantCulture);
            return beta == 0 || Math.Abs(d) >= beta ? Math.Abs(d) - (0.5 * beta) : 0.5 * d * d / beta;
        }

        if (name.StartsWith("Huber", StringComparison.Ordinal))
        {
            double delta = double.Parse(name[12..^1], System.Globalization.CultureInfo.InvariantCulture);
            return Math.Abs(d) < delta ? 0.5 * d * d : delta * (Math.Abs(d) - (0.5 * delta));
        }

        if (name.StartsWith("BCEWithLogits", StringComparison.Ordinal))
        {
            double logSigmoid = -Math.Log(1 + Math.Exp(-x));
            double logOneMinusSigmoid = -Math.Log(1 + Math.Exp(x));
            return -w * ((p * y * logSigmoid) + ((1 - y) * logOneMinusSigmoid));
        }

        return -w * ((y * Math.Log(x)) + ((1 - y) * Math.Log(1 - x)));
    }
}
