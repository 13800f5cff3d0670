namespace FastLoss.Benchmarks;

/// <summary>Random inputs for the benchmarks that need nothing more than uniform values.</summary>
public static class BenchmarkData
{
    /// <summary><paramref name="count"/> values drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static float[] Uniform(Random random, int count, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = low + ((high - low) * (float)random.NextDouble());
        }

        return values;
    }
}
