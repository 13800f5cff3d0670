using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>
/// TripletMarginLoss (p = 2, 1 and the general p-norm at 3 and 0.5, swap or not): the span functions against a float64
/// reference for row lengths 0 to 40 and a row of 50,001, finite differences in all three inputs, and the module's
/// allocations.
/// </summary>
public class TripletMarginTests
{
    [Fact]
    public void Matches_the_float64_reference_at_every_row_length_up_to_40_and_a_long_row()
    {
        foreach (float norm in Norms)
        {
            foreach (bool swap in new[] { false, true })
            {
                for (int features = 0; features <= 40; features++)
                {
                    Check(rows: 6, features, norm, swap, seed: features);
                }

                Check(rows: 2, features: 50_001, norm, swap, seed: 3);
            }
        }
    }

    [Fact]
    public void Gradients_match_central_differences()
    {
        foreach (float norm in Norms)
        {
            var (a, p, n) = Data(5, 7, seed: 9);
            float[] ga = new float[35], gp = new float[35], gn = new float[35];
            Fused(norm, a, p, n, 5, ga, gp, gn, swap: true);
            float[][] gradients = [ga, gp, gn];
            for (int which = 0; which < 3; which++)
            {
                for (int i = 0; i < 35; i++)
                {
                    double[][] copies = [Array.ConvertAll(a, v => (double)v), Array.ConvertAll(p, v => (double)v), Array.ConvertAll(n, v => (double)v)];
                    const double H = 1e-5;
                    copies[which][i] += H;
                    double plus = Reference(copies[0], copies[1], copies[2], 5, norm, swap: true).Sum;
                    copies[which][i] -= 2 * H;
                    double minus = Reference(copies[0], copies[1], copies[2], 5, norm, swap: true).Sum;
                    double numeric = (plus - minus) / (2 * H);
                    Assert.True(Math.Abs(gradients[which][i] - numeric) <= (1e-3 * Math.Abs(numeric)) + 1e-3, $"p={norm} input {which} [{i}]: analytic {gradients[which][i]}, numeric {numeric}");
                }
            }
        }
    }

    [Fact]
    public void Module_steps_allocate_nothing_after_the_first()
    {
        var (a, p, n) = Data(32, 16, seed: 1);
        var anchor = Tensor.FromValues(a, 32, 16);
        var positive = Tensor.FromValues(p, 32, 16);
        var negative = Tensor.FromValues(n, 32, 16);
        anchor.RequiresGrad = positive.RequiresGrad = negative.RequiresGrad = true;
        var mean = new TripletMarginLoss(swap: true);
        var none = new TripletMarginLoss(p: 1f, reduction: Reduction.None);
        var cubic = new TripletMarginLoss(p: 3f, reduction: Reduction.Sum);
        var upstream = Tensor.FromValues(new float[32], 32);

        void Step()
        {
            anchor.ZeroGrad();
            positive.ZeroGrad();
            negative.ZeroGrad();
            mean.Forward(anchor, positive, negative).Backward();
            none.Forward(anchor, positive, negative).Backward(upstream);
            cubic.Forward(anchor, positive, negative).Backward();
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 1000));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void A_norm_that_is_not_a_finite_positive_p_is_refused(float p)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new TripletMarginLoss(p: p));
        Assert.Contains($"p = {p} is not supported", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>The norms with kernels of their own (2, 1) and the general p-norm above and below 1.</summary>
    private static readonly float[] Norms = [2f, 1f, 3f, 0.5f];

    private static float Fused(float norm, float[] a, float[] p, float[] n, int rows, float[] ga, float[] gp, float[] gn, bool swap) => norm switch
    {
        2f => TripletMargin.ForwardBackward(a, p, n, rows, ga, gp, gn, Reduction.Sum, swap: swap),
        1f => TripletMarginL1.ForwardBackward(a, p, n, rows, ga, gp, gn, Reduction.Sum, swap: swap),
        _ => TripletMarginPNorm.ForwardBackward(a, p, n, rows, ga, gp, gn, Reduction.Sum, p: norm, swap: swap),
    };

    private static void Check(int rows, int features, float norm, bool swap, int seed)
    {
        var (a, p, n) = Data(rows, features, seed);
        // A row's loss is a difference of distances: float32 rounds it relative to the distances, not to the result.
        var (sum, losses, size) = Reference(Array.ConvertAll(a, v => (double)v), Array.ConvertAll(p, v => (double)v), Array.ConvertAll(n, v => (double)v), rows, norm, swap);
        string where = $"p={norm} swap={swap}, {rows} rows of {features}";
        float[] ga = new float[a.Length], gp = new float[a.Length], gn = new float[a.Length];
        float fused = Fused(norm, a, p, n, rows, ga, gp, gn, swap);
        Assert.True(Math.Abs(fused - sum) <= (2e-6 * size) + 1e-5, $"{where}: sum {fused} against {sum}");
        float[] none = new float[rows];
        switch (norm)
        {
            case 2f:
                TripletMargin.ForwardNone(a, p, n, rows, none, swap: swap);
                break;
            case 1f:
                TripletMarginL1.ForwardNone(a, p, n, rows, none, swap: swap);
                break;
            default:
                TripletMarginPNorm.ForwardNone(a, p, n, rows, none, p: norm, swap: swap);
                break;
        }

        for (int r = 0; r < rows; r++)
        {
            Assert.True(Math.Abs(none[r] - losses[r]) <= (2e-6 * size) + 1e-5, $"{where}: row {r} {none[r]} against {losses[r]}");
        }

        // The gradients of the three inputs cancel: each distance's gradients in its two inputs are opposite.
        for (int i = 0; i < a.Length; i++)
        {
            double scale = Math.Abs(ga[i]) + Math.Abs(gp[i]) + Math.Abs(gn[i]);
            Assert.True(Math.Abs(ga[i] + gp[i] + gn[i]) <= (1e-6 * scale) + 1e-5, $"{where}: gradients at [{i}] do not cancel");
        }
    }

    /// <summary>torch's loss in float64: d(u, v) = ||u - v + eps||_p, min over the two negative distances with swap.</summary>
    private static (double Sum, double[] Losses, double Size) Reference(double[] a, double[] p, double[] n, int rows, float norm, bool swap)
    {
        const double Eps = 1e-6;
        int features = rows == 0 ? 0 : a.Length / rows;
        var losses = new double[rows];
        double sum = 0, size = 0;
        for (int r = 0; r < rows; r++)
        {
            double ap = 0, an = 0, pn = 0;
            for (int j = r * features; j < (r + 1) * features; j++)
            {
                ap += Term(a[j] - p[j] + Eps);
                an += Term(a[j] - n[j] + Eps);
                pn += Term(p[j] - n[j] + Eps);
            }

            double dap = Math.Pow(ap, 1.0 / norm), dan = Math.Pow(an, 1.0 / norm), dpn = Math.Pow(pn, 1.0 / norm);
            losses[r] = Math.Max(1 + dap - (swap ? Math.Min(dan, dpn) : dan), 0);
            size += 1 + dap + dan + dpn;
            sum += losses[r];
        }

        return (sum, losses, size);

        double Term(double d) => Math.Pow(Math.Abs(d), norm);
    }

    private static (float[] A, float[] P, float[] N) Data(int rows, int features, int seed)
    {
        var random = new Random(seed);
        float[] a = new float[rows * features], p = new float[rows * features], n = new float[rows * features];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)((random.NextDouble() * 2) - 1);
            p[i] = (float)((random.NextDouble() * 2) - 1);
            n[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return (a, p, n);
    }
}
