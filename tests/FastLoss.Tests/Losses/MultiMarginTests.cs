using FastLoss.Functional;
using FastLoss.Functional.Margin;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>MultiMarginLoss: the span functions against a float64 reference, finite differences, and the module's allocations.</summary>
public class MultiMarginTests
{
    [Theory]
    [InlineData(1f, false)]
    [InlineData(2f, true)]
    public void Matches_the_float64_reference_and_central_differences(float p, bool weighted)
    {
        var random = new Random(5);
        foreach (int classes in new[] { 1, 2, 7, 16, 33 })
        {
            const int Rows = 9;
            float[] x = new float[Rows * classes];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)((random.NextDouble() * 4) - 2);
            }

            long[] y = new long[Rows];
            for (int r = 0; r < Rows; r++)
            {
                y[r] = random.Next(classes);
            }

            float[] w = new float[classes];
            for (int c = 0; c < classes; c++)
            {
                w[c] = weighted ? 0.5f + c : 1f;
            }

            float[] grad = new float[x.Length];
            float loss = MultiMargin.ForwardBackward(x, new ClassLayout(Rows, classes, 1), y, grad, new MultiMarginOptions { P = p, Margin = 0.75f, ClassWeight = weighted ? w : default }, Reduction.Sum);
            Assert.Equal(Reference(x, y, classes, p, w), loss, 4);
            const double H = 1e-4;
            for (int i = 0; i < x.Length; i++)
            {
                double[] shifted = Array.ConvertAll(x, v => (double)v);
                shifted[i] += H;
                double plus = Reference(shifted, y, classes, p, w);
                shifted[i] -= 2 * H;
                double minus = Reference(shifted, y, classes, p, w);
                double numeric = (plus - minus) / (2 * H);
                Assert.True(Math.Abs(grad[i] - numeric) <= (1e-3 * Math.Abs(numeric)) + 1e-3, $"C={classes} [{i}]: analytic {grad[i]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void The_generated_entry_points_agree_and_refuse_bad_targets_in_torchs_words_before_writing()
    {
        float[] x = [0.5f, -1f, 2f, 0.25f, 1f, 1.5f];
        long[] y = [2, 0];
        var layout = new ClassLayout(2, 3, 1);
        var options = new MultiMarginOptions { P = 2f, Margin = 0.5f, ClassWeight = [1f, 2f, 0.5f] };
        float[] losses = new float[2], gradient = new float[6], upstream = [1f, 1f];
        MultiMargin.ForwardBackwardNone(x, layout, y, losses, gradient, options);
        float[] separate = new float[2], backward = new float[6];
        MultiMargin.ForwardNone(x, layout, y, separate, options);
        MultiMargin.BackwardNone(x, layout, y, upstream, backward, options);
        Assert.Equal(losses, separate);
        Assert.Equal(gradient, backward);
        Assert.Equal((losses[0] + losses[1]) / 2, MultiMargin.Forward(x, layout, y, options), 6);

        // The pass's own target check runs before the generated scan, so the message is torch's, and nothing is written.
        float[] untouched = [9f, 9f, 9f, 9f, 9f, 9f];
        float[] weight = [1f, 2f, 0.5f];
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => MultiMargin.ForwardBackward(x, layout, [0, 3], untouched, new MultiMarginOptions { P = 2f, ClassWeight = weight }));
        Assert.StartsWith("target out of range (target 3, classes 3)", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiMargin.ForwardBackward(x, layout, [-1, 0], untouched, new MultiMarginOptions { ClassWeight = weight }));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiMargin.ForwardBackward(x, layout, y, untouched, new MultiMarginOptions { P = 3f }));
        Assert.Throws<ArgumentException>(() => MultiMargin.ForwardBackward(x, new ClassLayout(1, 3, 2), [0, 1], untouched, new MultiMarginOptions { ClassWeight = [1f, 1f] }));
        Assert.Throws<ArgumentException>(() => MultiMargin.ForwardBackward(x, new ClassLayout(1, 3, 2), [0, 1], untouched));
        Assert.Equal([9f, 9f, 9f, 9f, 9f, 9f], untouched);
    }

    [Fact]
    public void Module_steps_allocate_nothing_after_the_first()
    {
        var input = Tensor.FromValues(new float[640], 64, 10);
        input.RequiresGrad = true;
        long[] labels = new long[64];
        for (int r = 0; r < 64; r++)
        {
            labels[r] = r % 10;
        }

        var target = IndexTensor.FromValues(labels, 64);
        var mean = new MultiMarginLoss(p: 2f);
        var none = new MultiMarginLoss(reduction: Reduction.None);
        var upstream = Tensor.FromValues(new float[64], 64);

        void Step()
        {
            input.ZeroGrad();
            mean.Forward(input, target).Backward();
            none.Forward(input, target).Backward(upstream);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 1000));
    }

    private static double Reference(float[] x, long[] y, int classes, float p, float[] w) => Reference(Array.ConvertAll(x, v => (double)v), y, classes, p, w);

    private static double Reference(double[] x, long[] y, int classes, float p, float[] w)
    {
        double total = 0;
        for (int r = 0; r < y.Length; r++)
        {
            double sum = 0;
            for (int i = 0; i < classes; i++)
            {
                double z = 0.75 - x[(r * classes) + y[r]] + x[(r * classes) + i];
                if (i != y[r] && z > 0)
                {
                    sum += w[y[r]] * (p == 2f ? z * z : z);
                }
            }

            total += sum / classes;
        }

        return total;
    }
}
