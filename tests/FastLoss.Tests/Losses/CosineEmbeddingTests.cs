using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>
/// CosineEmbeddingLoss, a row-wise declaration: every span entry point against a float64 reference for row lengths
/// 0 to 70 (every vector tail of the row's sums and gradients) and a long row, finite differences in both inputs, and
/// the module's allocations. Tolerance 1e-5 relative plus 1e-6 times the cosine's gradient scale.
/// </summary>
public class CosineEmbeddingTests
{
    [Fact]
    public void Matches_the_float64_reference_at_every_row_length_up_to_70_and_a_long_row()
    {
        for (int features = 0; features <= 70; features++)
        {
            Check(rows: 5, features, margin: features % 2 == 0 ? 0f : 0.25f, seed: features);
        }

        Check(rows: 3, features: 100_003, margin: 0.1f, seed: 1);
    }

    [Fact]
    public void Gradients_match_central_differences()
    {
        var (x1, x2, y) = Data(6, 13, seed: 4);
        float[] g1 = new float[x1.Length], g2 = new float[x1.Length];
        CosineEmbedding.ForwardBackward(x1, x2, y, g1, g2, Reduction.Sum, margin: -0.5f);
        const double H = 1e-5;
        for (int i = 0; i < x1.Length; i++)
        {
            double[] a = Array.ConvertAll(x1, v => (double)v), b = Array.ConvertAll(x2, v => (double)v);
            a[i] += H;
            double plus = Reference(a, b, y, 13, -0.5).Sum;
            a[i] -= 2 * H;
            double minus = Reference(a, b, y, 13, -0.5).Sum;
            double numeric = (plus - minus) / (2 * H);
            Assert.True(Math.Abs(g1[i] - numeric) <= (1e-3 * Math.Abs(numeric)) + 1e-4, $"input1 [{i}]: analytic {g1[i]}, numeric {numeric}");
            a[i] += H;
            b[i] += H;
            plus = Reference(a, b, y, 13, -0.5).Sum;
            b[i] -= 2 * H;
            minus = Reference(a, b, y, 13, -0.5).Sum;
            numeric = (plus - minus) / (2 * H);
            Assert.True(Math.Abs(g2[i] - numeric) <= (1e-3 * Math.Abs(numeric)) + 1e-4, $"input2 [{i}]: analytic {g2[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void Module_steps_allocate_nothing_after_the_first()
    {
        var (x1, x2, y) = Data(64, 32, seed: 2);
        var input1 = Tensor.FromValues(x1, 64, 32);
        var input2 = Tensor.FromValues(x2, 64, 32);
        var target = Tensor.FromValues(y, 64);
        input1.RequiresGrad = input2.RequiresGrad = true;
        var mean = new CosineEmbeddingLoss(0.2f);
        var none = new CosineEmbeddingLoss(reduction: Reduction.None);
        var upstream = Tensor.FromValues(y, 64);

        void Step()
        {
            input1.ZeroGrad();
            input2.ZeroGrad();
            mean.Forward(input1, input2, target).Backward();
            none.Forward(input1, input2, target).Backward(upstream);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 1000));
    }

    private static void Check(int rows, int features, float margin, int seed)
    {
        var (x1, x2, y) = Data(rows, features, seed);
        var (sum, losses, grad1, grad2) = Reference(Array.ConvertAll(x1, v => (double)v), Array.ConvertAll(x2, v => (double)v), y, features, margin);
        string where = $"{rows} rows of {features}, margin {margin}";
        Assert.Equal(sum, CosineEmbedding.Forward(x1, x2, y, Reduction.Sum, margin), 4);
        Assert.Equal(sum / rows, CosineEmbedding.Forward(x1, x2, y, Reduction.Mean, margin), 5);
        float[] none = new float[rows];
        CosineEmbedding.ForwardNone(x1, x2, y, none, margin);
        for (int r = 0; r < rows; r++)
        {
            Assert.True(Math.Abs(none[r] - losses[r]) <= 1e-5, $"{where}: row {r} loss {none[r]} against {losses[r]}");
        }

        float[] g1 = new float[x1.Length], g2 = new float[x1.Length];
        CosineEmbedding.ForwardBackward(x1, x2, y, g1, g2, Reduction.Sum, margin);
        Elements(grad1, g1, where + " input1");
        Elements(grad2, g2, where + " input2");
        float[] upstream = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            upstream[r] = r - 1.5f;
        }

        CosineEmbedding.BackwardNone(x1, x2, y, upstream, g1, g2, margin);
        for (int i = 0; i < grad1.Length; i++)
        {
            grad1[i] *= upstream[i / Math.Max(1, features)];
        }

        Elements(grad1, g1, where + " backward none input1");
    }

    private static void Elements(double[] expected, float[] actual, string where)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= (1e-5 * Math.Abs(expected[i])) + 1e-5, $"{where} [{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>torch's loss and its gradients in float64: cos = dot / sqrt((|a|^2 + 1e-12)(|b|^2 + 1e-12)).</summary>
    private static (double Sum, double[] Losses, double[] Grad1, double[] Grad2) Reference(double[] a, double[] b, float[] y, int features, double margin)
    {
        int rows = y.Length;
        double sum = 0;
        var losses = new double[rows];
        var g1 = new double[a.Length];
        var g2 = new double[a.Length];
        for (int r = 0; r < rows; r++)
        {
            double dot = 0, aa = 1e-12, bb = 1e-12;
            for (int j = r * features; j < (r + 1) * features; j++)
            {
                dot += a[j] * b[j];
                aa += a[j] * a[j];
                bb += b[j] * b[j];
            }

            double denominator = Math.Sqrt(aa * bb);
            double cos = dot / denominator;
            double slope = y[r] == 1f ? -1 : y[r] == -1f && cos - margin >= 0 ? 1 : 0;
            losses[r] = y[r] == 1f ? 1 - cos : y[r] == -1f ? Math.Max(cos - margin, 0) : 0;
            sum += losses[r];
            for (int j = r * features; j < (r + 1) * features; j++)
            {
                g1[j] = slope * ((b[j] / denominator) - (cos * a[j] / aa));
                g2[j] = slope * ((a[j] / denominator) - (cos * b[j] / bb));
            }
        }

        return (sum, losses, g1, g2);
    }

    /// <summary>Rows in [-2, 2]; targets 1, -1 and, now and then, 0.5 (neither).</summary>
    private static (float[] X1, float[] X2, float[] Y) Data(int rows, int features, int seed)
    {
        var random = new Random(seed);
        float[] x1 = new float[rows * features], x2 = new float[rows * features], y = new float[rows];
        for (int i = 0; i < x1.Length; i++)
        {
            x1[i] = (float)((random.NextDouble() * 4) - 2);
            x2[i] = (float)((random.NextDouble() * 4) - 2);
        }

        for (int r = 0; r < rows; r++)
        {
            y[r] = r % 4 == 3 ? 0.5f : r % 2 == 0 ? 1f : -1f;
        }

        return (x1, x2, y);
    }
}
