using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>
/// MarginRankingLoss, a loss of two differentiable inputs: every span entry point against a float64 reference at
/// every length from 0 to 300 and at 1,000,003 elements, finite differences in x1, x2 and y, and the module's
/// autograd (reuse in one graph, accumulation, the two-argument call torch refuses) and allocations.
/// Tolerances as the other elementwise losses': 1e-5 relative plus 1e-6, 2e-5 of the summed term sizes for sums.
/// </summary>
public class MarginRankingTests
{
    [Fact]
    public void Matches_the_float64_reference_at_every_length_up_to_300()
    {
        for (int n = 0; n <= 300; n++)
        {
            Check(n, seed: n, margin: n % 3 == 0 ? 0f : n % 3 == 1 ? 0.5f : -0.25f, reducedOnly: false);
        }
    }

    [Fact]
    public void Matches_the_float64_reference_at_a_million_elements() =>
        Check(1_000_003, seed: 7, margin: 0.1f, reducedOnly: true);

    [Fact]
    public void Gradients_match_central_differences_in_each_input_and_the_target()
    {
        var (x1, x2, y) = Data(97, seed: 11, margin: 0.5f, atMargin: false);
        const float Margin = 0.5f;
        float[] g1 = new float[97], g2 = new float[97], gy = new float[97];
        MarginRanking.ForwardBackward(x1, x2, y, g1, g2, Reduction.Sum, Margin);
        MarginRanking.TargetBackward(x1, x2, y, gy, Reduction.Sum, 1f, Margin);
        for (int i = 0; i < 97; i++)
        {
            double u = (-y[i] * ((double)x1[i] - x2[i])) + Margin;
            if (Math.Abs(u) < 0.05)
            {
                continue; // the kink
            }

            const double H = 1e-6;
            Assert.Equal(Numeric(x1[i] + H, x2[i], y[i]) - Numeric(x1[i] - H, x2[i], y[i]), 2 * H * g1[i], 1e-9);
            Assert.Equal(Numeric(x1[i], x2[i] + H, y[i]) - Numeric(x1[i], x2[i] - H, y[i]), 2 * H * g2[i], 1e-9);
            Assert.Equal(Numeric(x1[i], x2[i], y[i] + H) - Numeric(x1[i], x2[i], y[i] - H), 2 * H * gy[i], 1e-8);
        }

        static double Numeric(double a, double b, double label) => Math.Max((-label * (a - b)) + Margin, 0);
    }

    [Fact]
    public void A_module_called_twice_in_one_graph_accumulates_both_calls_gradients()
    {
        float[] a = [0.5f, -1f, 2f, 0.25f], b = [1f, 0.5f, -0.5f, 0.25f], labels = [1f, -1f, 1f, 1f];
        var input1 = Tensor.FromValues(a, 4);
        var input2 = Tensor.FromValues(b, 4);
        input1.RequiresGrad = input2.RequiresGrad = true;
        var loss = new MarginRankingLoss(margin: 0.5f);
        var target = Tensor.FromValues(labels, 4);
        var flipped = Tensor.FromValues([-1f, 1f, -1f, -1f], 4);
        Tensor total = loss.Forward(input1, input2, target) + loss.Forward(input2, input1, flipped);
        total.Backward();

        // Both calls rank the same pairs: each input's gradient is twice one call's.
        float[] g1 = new float[4], g2 = new float[4];
        MarginRanking.ForwardBackward(a, b, labels, g1, g2, Reduction.Mean, 0.5f);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(2 * g1[i], input1.Grad!.Span[i], 6);
            Assert.Equal(2 * g2[i], input2.Grad!.Span[i], 6);
        }

        Assert.Equal(2 * MarginRanking.Forward(a, b, labels, Reduction.Mean, 0.5f), total.Item(), 6);
    }

    [Fact]
    public void The_two_argument_call_is_refused_as_torch_refuses_it()
    {
        var loss = new MarginRankingLoss();
        var exception = Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.FromValues([1f], 1), Tensor.FromValues([1f], 1)));
        Assert.Equal("forward() missing 1 required positional argument: 'target' (Parameter 'target')", exception.Message);
    }

    [Fact]
    public void Shapes_must_agree_and_the_message_names_them()
    {
        var loss = new MarginRankingLoss();
        var rank = Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.FromValues(new float[3], 3), Tensor.FromValues(new float[3], 3), Tensor.FromValues(new float[3], 3, 1)));
        Assert.StartsWith("margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([3]), input2: torch.Size([3]), target: torch.Size([3, 1])", rank.Message, StringComparison.Ordinal);
        var size = Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.FromValues(new float[3], 3), Tensor.FromValues(new float[2], 2), Tensor.FromValues(new float[3], 3)));
        Assert.Contains("torch.Size([2])", size.Message, StringComparison.Ordinal);
        float[] gradient = [9f, 9f, 9f];
        Assert.Throws<ArgumentException>(() => MarginRanking.ForwardBackward(new float[3], new float[3], new float[2], gradient, new float[3]));
        Assert.Equal([9f, 9f, 9f], gradient);
    }

    [Fact]
    public void Gradients_reach_three_recorded_producers()
    {
        var x = Tensor.FromValues([1f, -2f, 0.5f], 3);
        x.RequiresGrad = true;
        new MarginRankingLoss(0.25f, Reduction.Sum).Forward(x * 2f, x * 3f, x * 0.5f).Backward();

        // x.grad = 2 d/d input1 + 3 d/d input2 + 0.5 d/d target, at input1 = 2x, input2 = 3x, target = x / 2.
        float[] a = [2f, -4f, 1f], b = [3f, -6f, 1.5f], t = [0.5f, -1f, 0.25f];
        float[] g1 = new float[3], g2 = new float[3], gt = new float[3];
        MarginRanking.ForwardBackward(a, b, t, g1, g2, Reduction.Sum, 0.25f);
        MarginRanking.TargetBackward(a, b, t, gt, Reduction.Sum, 1f, 0.25f);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal((2 * g1[i]) + (3 * g2[i]) + (0.5f * gt[i]), x.Grad!.Span[i], 5);
        }
    }

    [Fact]
    public void Module_steps_allocate_nothing_after_the_first()
    {
        var input1 = Tensor.FromValues(new float[640], 64, 10);
        var input2 = Tensor.FromValues(new float[640], 64, 10);
        var target = Tensor.FromValues(new float[640], 64, 10);
        target.Span.Fill(1f);
        input1.RequiresGrad = input2.RequiresGrad = true;
        var mean = new MarginRankingLoss(0.1f);
        var none = new MarginRankingLoss(0.1f, Reduction.None);
        var upstream = Tensor.FromValues(new float[640], 64, 10);

        void Step()
        {
            input1.ZeroGrad();
            input2.ZeroGrad();
            mean.Forward(input1, input2, target).Backward();
            none.Forward(input1, input2, target).Backward(upstream);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 1000));
    }

    private static void Check(int n, int seed, float margin, bool reducedOnly)
    {
        var (x1, x2, y) = Data(n, seed, margin, atMargin: true);
        var loss = new double[n];
        var g1 = new double[n];
        var g2 = new double[n];
        var gy = new double[n];
        double sum = 0, size = 0;
        for (int i = 0; i < n; i++)
        {
            // -y (x1 - x2) + margin in float32, as torch computes it, so both sides see the same sign at the margin.
            float u = (-y[i] * (x1[i] - x2[i])) + margin;
            bool passes = u >= 0f;
            loss[i] = Math.Max(u, 0);
            g1[i] = passes ? -y[i] : 0;
            g2[i] = passes ? y[i] : 0;
            gy[i] = passes ? -((double)x1[i] - x2[i]) : 0;
            sum += loss[i];
            size += Math.Abs(x1[i]) + Math.Abs(x2[i]) + Math.Abs(margin);
        }

        string where = $"n={n}, margin={margin}";
        AssertSum(sum, size, MarginRanking.Forward(x1, x2, y, Reduction.Sum, margin), where + " sum");
        float[] a = new float[n], b = new float[n], t = new float[n];
        float fused = MarginRanking.ForwardBackward(x1, x2, y, a, b, Reduction.Sum, margin);
        AssertSum(sum, size, fused, where + " fused sum");
        AssertElements(g1, 1, a, where + " fused input1");
        AssertElements(g2, 1, b, where + " fused input2");
        if (n > 0)
        {
            AssertSum(sum / n, size / n, MarginRanking.Forward(x1, x2, y, Reduction.Mean, margin), where + " mean");
            MarginRanking.TargetBackward(x1, x2, y, t, Reduction.Mean, 3f, margin);
            AssertElements(gy, 3.0 / n, t, where + " target mean, upstream 3");
        }

        if (reducedOnly)
        {
            return;
        }

        float[] values = new float[n];
        MarginRanking.ForwardNone(x1, x2, y, values, margin);
        AssertElements(loss, 1, values, where + " none");
        float[] upstream = new float[n];
        for (int i = 0; i < n; i++)
        {
            upstream[i] = (i % 3) - 1.5f;
        }

        MarginRanking.BackwardNone(x1, x2, y, upstream, a, b, margin);
        MarginRanking.TargetBackwardNone(x1, x2, y, upstream, t, margin);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(a[i] - (g1[i] * upstream[i])) <= 1e-6, $"{where} backward none input1 [{i}]");
            Assert.True(Math.Abs(b[i] - (g2[i] * upstream[i])) <= 1e-6, $"{where} backward none input2 [{i}]");
            Assert.True(Math.Abs(t[i] - (gy[i] * upstream[i])) <= (1e-5 * Math.Abs(gy[i] * upstream[i])) + 1e-6, $"{where} target backward none [{i}]");
        }

        if (n > 0)
        {
            MarginRanking.Backward(x1, x2, y, a, b, Reduction.Mean, 2f, margin);
            AssertElements(g1, 2.0 / n, a, where + " backward mean input1");
            AssertElements(g2, 2.0 / n, b, where + " backward mean input2");
        }
    }

    /// <summary>Scores in [-4, 4] and ±1 targets; with <paramref name="atMargin"/>, every seventh pair exactly at the margin.</summary>
    private static (float[] X1, float[] X2, float[] Y) Data(int n, int seed, float margin, bool atMargin)
    {
        var random = new Random(seed);
        float[] x1 = new float[n], x2 = new float[n], y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x1[i] = (float)((random.NextDouble() * 8) - 4);
            x2[i] = (float)((random.NextDouble() * 8) - 4);
            y[i] = random.Next(2) == 0 ? -1f : 1f;
            if (atMargin && i % 7 == 3)
            {
                x1[i] = x2[i] + (y[i] * margin);
            }
        }

        return (x1, x2, y);
    }

    private static void AssertSum(double expected, double size, float actual, string where) =>
        Assert.True(Math.Abs(actual - expected) <= (2e-5 * size) + 1e-6, $"{where}: expected {expected:R}, got {actual:R}");

    private static void AssertElements(double[] expected, double factor, float[] actual, string where)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i] * factor;
            Assert.True(Math.Abs(actual[i] - e) <= (1e-5 * Math.Abs(e)) + 1e-6, $"{where} [{i}]: expected {e:R}, got {actual[i]:R}");
        }
    }
}
