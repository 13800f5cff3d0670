namespace FastLoss.Tests.TestSupport;

/// <summary>Deterministic test inputs and tolerance checks shared by the tests.</summary>
internal static class TestData
{
    /// <summary>Uniform values in [-1, 1) from a fixed seed.</summary>
    public static float[] Uniform(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2.0) - 1.0);
        }

        return values;
    }

    public static Tensor Tensor(int seed, params int[] shape)
    {
        var tensor = FastLoss.Tensor.Zeros(shape);
        Uniform(tensor.Length, seed).CopyTo(tensor.Span);
        return tensor;
    }

    /// <summary>CIFAR-10-like class labels in [0, 10) from a fixed seed.</summary>
    public static IndexTensor Labels(int seed, int count)
    {
        var random = new Random(seed);
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(10);
        }

        return IndexTensor.FromValues(labels, count);
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    /// <summary>Asserts |actual - expected| &lt;= absolute + relative * |expected| element-wise, naming the first bad index.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double absolute, double relative, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} elements, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= absolute + (relative * Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {error:E3}, tolerance {absolute:E1} + {relative:E1} * |expected|)");
            }
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double absolute, double relative, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} elements, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= absolute + (relative * Math.Abs(expected[i]))))
            {
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {error:E3})");
            }
        }
    }

    /// <summary>
    /// Central differences in float64: d f / d x_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h for every i, with x
    /// restored after each probe.
    /// </summary>
    public static double[] CentralDifferences(double[] x, Func<double> f, double h = 1e-6)
    {
        var grad = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + h;
            double plus = f();
            x[i] = saved - h;
            double minus = f();
            x[i] = saved;
            grad[i] = (plus - minus) / (2 * h);
        }

        return grad;
    }
}
