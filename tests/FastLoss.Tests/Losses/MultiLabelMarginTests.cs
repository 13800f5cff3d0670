using FastLoss.Functional.Margin;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>MultiLabelMarginLoss: the span functions against a float64 reference and central differences, and the module's allocations.</summary>
public class MultiLabelMarginTests
{
    [Fact]
    public void Matches_the_float64_reference_and_central_differences()
    {
        var random = new Random(8);
        foreach (int classes in new[] { 1, 3, 8, 17, 70 })
        {
            const int Rows = 7;
            float[] x = new float[Rows * classes];
            long[] y = new long[Rows * classes];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)((random.NextDouble() * 4) - 2);
            }

            for (int r = 0; r < Rows; r++)
            {
                int count = random.Next(classes + 1);
                for (int k = 0; k < classes; k++)
                {
                    y[(r * classes) + k] = k < count ? (k * 5 + r) % classes : -1;
                }
            }

            float[] grad = new float[x.Length];
            float loss = MultiLabelMargin.ForwardBackward(x, y, classes, grad, Reduction.Sum);
            Assert.Equal(Reference(Array.ConvertAll(x, v => (double)v), y, classes), loss, 4);
            const double H = 1e-4;
            for (int i = 0; i < x.Length; i++)
            {
                double[] shifted = Array.ConvertAll(x, v => (double)v);
                shifted[i] += H;
                double plus = Reference(shifted, y, classes);
                shifted[i] -= 2 * H;
                double numeric = (plus - Reference(shifted, y, classes)) / (2 * H);
                Assert.True(Math.Abs(grad[i] - numeric) <= (1e-3 * Math.Abs(numeric)) + 1e-3, $"C={classes} [{i}]: analytic {grad[i]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void Module_steps_allocate_nothing_after_the_first()
    {
        var input = Tensor.FromValues(new float[640], 64, 10);
        input.RequiresGrad = true;
        long[] labels = new long[640];
        Array.Fill(labels, -1L);
        for (int r = 0; r < 64; r++)
        {
            labels[r * 10] = r % 10;
        }

        var target = IndexTensor.FromValues(labels, 64, 10);
        var mean = new MultiLabelMarginLoss();
        var none = new MultiLabelMarginLoss(Reduction.None);
        var upstream = Tensor.FromValues(new float[64], 64);

        void Step()
        {
            input.ZeroGrad();
            mean.Forward(input, target).Backward();
            none.Forward(input, target).Backward(upstream);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 1000));
    }

    private static double Reference(double[] x, long[] y, int classes)
    {
        double total = 0;
        for (int r = 0; r < x.Length / classes; r++)
        {
            var targets = new List<long>();
            for (int k = 0; k < classes && y[(r * classes) + k] >= 0; k++)
            {
                targets.Add(y[(r * classes) + k]);
            }

            double sum = 0;
            foreach (long j in targets)
            {
                for (int i = 0; i < classes; i++)
                {
                    double z = 1 - x[(r * classes) + j] + x[(r * classes) + i];
                    if (!targets.Contains(i) && z > 0)
                    {
                        sum += z;
                    }
                }
            }

            total += sum / classes;
        }

        return total;
    }
}
