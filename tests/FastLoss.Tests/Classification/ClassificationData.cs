namespace FastLoss.Tests.Classification;

/// <summary>Deterministic random inputs for the classification tests, and tolerance checks that name what failed.</summary>
internal static class ClassificationData
{
    public static float[] Logits(Random random, int length, float spread = 4f)
    {
        var x = new float[length];
        for (int k = 0; k < length; k++)
        {
            x[k] = (float)((random.NextDouble() * 2 - 1) * spread);
        }

        return x;
    }

    public static long[] IndexTargets(Random random, int entries, int classes)
    {
        var y = new long[entries];
        for (int n = 0; n < entries; n++)
        {
            y[n] = random.Next(classes);
        }

        return y;
    }

    /// <summary>Positive values normalized over the class dimension (torch does not require normalization; this is the common case).</summary>
    public static float[] Probabilities(Random random, int batch, int classes, int inner)
    {
        var t = new float[batch * classes * inner];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < inner; i++)
            {
                double sum = 0;
                for (int c = 0; c < classes; c++)
                {
                    double v = random.NextDouble() + 0.01;
                    t[ClassificationReference.At(b, c, i, classes, inner)] = (float)v;
                    sum += v;
                }

                for (int c = 0; c < classes; c++)
                {
                    t[ClassificationReference.At(b, c, i, classes, inner)] /= (float)sum;
                }
            }
        }

        return t;
    }

    public static float[] Weights(Random random, int classes)
    {
        var w = new float[classes];
        for (int c = 0; c < classes; c++)
        {
            w[c] = (float)(0.2 + (random.NextDouble() * 1.8));
        }

        return w;
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            result[k] = values[k];
        }

        return result;
    }

    /// <summary>|actual - expected| &lt;= atol + rtol * |expected|; NaN only matches NaN, an infinity only itself.</summary>
    public static void AssertClose(double expected, double actual, double rtol, double atol, string what)
    {
        if (!IsClose(expected, actual, rtol, atol))
        {
            Assert.Fail($"{what}: expected {expected}, got {actual} (error {Math.Abs(actual - expected):g3}, allowed {atol + (rtol * Math.Abs(expected)):g3})");
        }
    }

    public static void AssertAllClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            if (!IsClose(expected[k], actual[k], rtol, atol))
            {
                AssertClose(expected[k], actual[k], rtol, atol, $"{what}[{k}]");
            }
        }
    }

    private static bool IsClose(double expected, double actual, double rtol, double atol) =>
        double.IsNaN(expected) || double.IsNaN(actual)
            ? double.IsNaN(expected) && double.IsNaN(actual)
            : expected == actual || Math.Abs(actual - expected) <= atol + (rtol * Math.Abs(expected));

    public static double MaxAbs(ReadOnlySpan<double> values)
    {
        double max = 0;
        foreach (double v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }
}
