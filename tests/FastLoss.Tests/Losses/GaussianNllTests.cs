using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>
/// GaussianNLLLoss: every span entry point against a float64 reference at every length from 0 to 300 and at
/// 1,000,003 elements, with variances below eps (clamped, gradient unclamped as torch's), finite differences in the
/// input, the variance and the target, and the module's allocations. Tolerance 1e-5 relative to the terms' size.
/// </summary>
public class GaussianNllTests
{
    private const float Eps = 1e-3f;

    [Fact]
    public void Matches_the_float64_reference_at_every_length_up_to_300()
    {
        for (int n = 0; n <= 300; n++)
        {
            Check(n, seed: n, full: n % 2 == 0, reducedOnly: false);
        }
    }

    [Fact]
    public void Matches_the_float64_reference_at_a_million_elements() => Check(1_000_003, seed: 3, full: true, reducedOnly: true);

    [Fact]
    public void Gradients_match_central_differences_in_the_input_the_variance_and_the_target()
    {
        var (x, v, y) = Data(97, seed: 5, clampSome: false);
        float[] gx = new float[97], gv = new float[97], gy = new float[97];
        GaussianNll.ForwardBackward(x, v, y, gx, gv, Reduction.Sum, full: true, Eps);
        GaussianNll.TargetBackward(x, v, y, gy, Reduction.Sum, 1f, full: true, Eps);
        const double H = 1e-6;
        for (int i = 0; i < 97; i++)
        {
            AssertDerivative(Loss(x[i] + H, v[i], y[i]) - Loss(x[i] - H, v[i], y[i]), gx[i], $"input [{i}]");
            AssertDerivative(Loss(x[i], v[i] + H, y[i]) - Loss(x[i], v[i] - H, y[i]), gv[i], $"var [{i}]");
            AssertDerivative(Loss(x[i], v[i], y[i] + H) - Loss(x[i], v[i], y[i] - H), gy[i], $"target [{i}]");
        }

        static double Loss(double x, double v, double y) => (0.5 * (Math.Log(v) + ((x - y) * (x - y) / v))) + (0.5 * Math.Log(2 * Math.PI));

        static void AssertDerivative(double difference, float analytic, string where)
        {
            double numeric = difference / (2 * H);
            Assert.True(Math.Abs(analytic - numeric) <= (1e-4 * Math.Abs(numeric)) + 1e-5, $"{where}: analytic {analytic}, numeric {numeric}");
        }
    }

    [Fact]
    public void Module_steps_allocate_nothing_after_the_first()
    {
        var input = Tensor.FromValues(new float[640], 64, 10);
        var target = Tensor.FromValues(new float[640], 64, 10);
        var var = Tensor.FromValues(new float[64], 64);
        var.Span.Fill(0.5f);
        input.RequiresGrad = var.RequiresGrad = true;
        var mean = new GaussianNLLLoss();
        var none = new GaussianNLLLoss(full: true, reduction: Reduction.None);
        var upstream = Tensor.FromValues(new float[640], 64, 10);

        void Step()
        {
            input.ZeroGrad();
            var.ZeroGrad();
            mean.Forward(input, target, var).Backward();
            none.Forward(input, target, var).Backward(upstream);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 1000));
    }

    [Fact]
    public void A_variance_per_row_gets_the_sum_of_its_rows_gradients()
    {
        float[] x = [1f, 2f, 0.5f, -1f, 0f, 3f], y = [0f, 1f, 1f, 0f, 0f, 1f];
        var input = Tensor.FromValues(x, 2, 3);
        var var = Tensor.FromValues([0.5f, 2f], 2);
        var.RequiresGrad = true;
        new GaussianNLLLoss(reduction: Reduction.Sum).Forward(input, Tensor.FromValues(y, 2, 3), var).Backward();
        float[] gx = new float[6], gv = new float[6];
        GaussianNll.ForwardBackward(x, [0.5f, 0.5f, 0.5f, 2f, 2f, 2f], y, gx, gv, Reduction.Sum);
        Assert.Equal(gv[0] + gv[1] + gv[2], var.Grad!.Span[0], 5);
        Assert.Equal(gv[3] + gv[4] + gv[5], var.Grad!.Span[1], 5);
    }

    private static void Check(int n, int seed, bool full, bool reducedOnly)
    {
        var (x, v, y) = Data(n, seed, clampSome: true);
        double[] loss = new double[n], gx = new double[n], gv = new double[n], gy = new double[n], size = new double[n];
        double sum = 0, total = 0;
        for (int i = 0; i < n; i++)
        {
            double c = Math.Max(v[i], Eps);
            double d = (double)x[i] - y[i];
            loss[i] = (0.5 * (Math.Log(c) + (d * d / c))) + (full ? 0.5 * Math.Log(2 * Math.PI) : 0);
            gx[i] = d / c;
            gy[i] = -d / c;
            gv[i] = 0.5 * ((1 / c) - (d * d / (c * c)));
            size[i] = 1 + Math.Abs(Math.Log(c)) + (d * d / c) + (Math.Abs(d) / c) + (d * d / (c * c));
            sum += loss[i];
            total += size[i];
        }

        string where = $"n={n}, full={full}";
        Assert.True(Math.Abs(GaussianNll.Forward(x, v, y, Reduction.Sum, full, Eps) - sum) <= (2e-5 * total) + 1e-6, where + " sum");
        float[] a = new float[n], b = new float[n], t = new float[n];
        float fused = GaussianNll.ForwardBackward(x, v, y, a, b, Reduction.Sum, full, Eps);
        Assert.True(Math.Abs(fused - sum) <= (2e-5 * total) + 1e-6, where + " fused sum");
        Elements(gx, a, size, where + " input gradient");
        Elements(gv, b, size, where + " var gradient");
        GaussianNll.TargetBackward(x, v, y, t, Reduction.Sum, 1f, full, Eps);
        Elements(gy, t, size, where + " target gradient");
        if (reducedOnly)
        {
            return;
        }

        float[] values = new float[n];
        GaussianNll.ForwardNone(x, v, y, values, full, Eps);
        Elements(loss, values, size, where + " none");
        float[] upstream = new float[n];
        Array.Fill(upstream, -0.5f);
        GaussianNll.BackwardNone(x, v, y, upstream, a, b, full, Eps);
        for (int i = 0; i < n; i++)
        {
            gx[i] *= -0.5;
            gv[i] *= -0.5;
        }

        Elements(gx, a, size, where + " backward none input");
        Elements(gv, b, size, where + " backward none var");
    }

    private static void Elements(double[] expected, float[] actual, double[] size, string where)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= (1e-5 * size[i]) + 1e-6, $"{where} [{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>Means and targets in [-3, 3], variances in [0.05, 4]; with <paramref name="clampSome"/>, every fifth below eps or 0.</summary>
    private static (float[] X, float[] V, float[] Y) Data(int n, int seed, bool clampSome)
    {
        var random = new Random(seed);
        float[] x = new float[n], v = new float[n], y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)((random.NextDouble() * 6) - 3);
            y[i] = (float)((random.NextDouble() * 6) - 3);
            v[i] = (float)(0.05 + (random.NextDouble() * 3.95));
            if (clampSome && i % 5 == 1)
            {
                v[i] = i % 10 == 1 ? 0f : Eps / 4;
            }
        }

        return (x, v, y);
    }
}
