using FastLoss.NN;

namespace FastLoss.Tests.NN;

/// <summary>
/// Initialisers: bounds and standard deviations follow torch's formulas; the generator is reproducible.
/// Statistical checks use 200,000 samples: the sample mean of a unit-variance draw is within 0.01 (4.5 sigma)
/// and the sample standard deviation within 1 %.
/// </summary>
public sealed class InitTests
{
    [Fact]
    public void The_same_seed_gives_the_same_numbers_and_another_seed_does_not()
    {
        var a = new Generator(42);
        var b = new Generator(42);
        var c = new Generator(43);
        float[] first = new float[100], second = new float[100], third = new float[100];
        a.FillUniform(first, -1, 1);
        b.FillUniform(second, -1, 1);
        c.FillUniform(third, -1, 1);
        Assert.Equal(first, second);
        Assert.NotEqual(first, third);

        a.ManualSeed(42);
        a.FillUniform(second, -1, 1);
        Assert.Equal(first, second);
        Assert.Equal(42, a.InitialSeed);
    }

    [Fact]
    public void Uniform_and_normal_have_the_requested_range_and_moments()
    {
        var generator = new Generator(1);
        Tensor t = Tensor.Zeros(200_000);
        Init.Uniform(t, -2, 3, generator);
        Assert.All(t.ToArray(), v => Assert.InRange(v, -2f, 3f));
        Assert.Equal(0.5, Mean(t), 0.02);

        Init.Normal(t, 1.5, 2.0, generator);
        Assert.Equal(1.5, Mean(t), 0.02);
        Assert.Equal(2.0, Std(t), 0.02);

        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            counts[generator.NextInt(7)]++;
        }

        Assert.All(counts, n => Assert.InRange(n, 9_500, 10_500));
    }

    [Fact]
    public void Xavier_and_kaiming_follow_torchs_formulas()
    {
        var generator = new Generator(5);
        Tensor w = Tensor.Zeros(300, 200, 2, 2); // fan_in 800, fan_out 1200

        Init.XavierNormal(w, gain: 2.0, generator: generator);
        Assert.Equal(2.0 * Math.Sqrt(2.0 / 2000), Std(w), 0.01 * 2.0 * Math.Sqrt(2.0 / 2000));

        Init.XavierUniform(w, generator: generator);
        double bound = Math.Sqrt(6.0 / 2000);
        Assert.All(w.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.Equal(bound / Math.Sqrt(3), Std(w), 0.01 * bound);

        Init.KaimingUniform(w, a: Math.Sqrt(5), generator: generator);
        double linearBound = 1.0 / Math.Sqrt(800);
        Assert.All(w.ToArray(), v => Assert.InRange(v, -linearBound, linearBound));
        Assert.Equal(linearBound / Math.Sqrt(3), Std(w), 0.01 * linearBound);

        Init.KaimingNormal(w, mode: FanMode.FanOut, nonlinearity: "relu", generator: generator);
        Assert.Equal(Math.Sqrt(2.0) / Math.Sqrt(1200), Std(w), 0.01 * Math.Sqrt(2.0 / 1200));

        Init.Constant(w, 0.25f);
        Assert.All(w.ToArray(), v => Assert.Equal(0.25f, v));
    }

    [Fact]
    public void Gains_fans_and_errors_match_torch()
    {
        Assert.Equal(1.0, Init.CalculateGain("sigmoid"));
        Assert.Equal(5.0 / 3.0, Init.CalculateGain("tanh"));
        Assert.Equal(Math.Sqrt(2.0), Init.CalculateGain("relu"));
        Assert.Equal(Math.Sqrt(2.0 / (1 + (0.01 * 0.01))), Init.CalculateGain("leaky_relu"));
        Assert.Equal(0.75, Init.CalculateGain("selu"));
        Assert.StartsWith("Unsupported nonlinearity softplus", Assert.Throws<ArgumentException>(() => Init.CalculateGain("softplus")).Message, StringComparison.Ordinal);
        Assert.Equal((75, 800), Init.CalculateFanInAndFanOut(Tensor.Zeros(32, 3, 5, 5)));
        Assert.StartsWith(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
            Assert.Throws<ArgumentException>(() => Init.XavierNormal(Tensor.Zeros(4))).Message, StringComparison.Ordinal);
        Assert.StartsWith(
            "normal expects std >= 0.0, but found std -1",
            Assert.Throws<ArgumentException>(() => Init.Normal(Tensor.Zeros(4), 0, -1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layers_start_with_torchs_default_bounds_and_are_reproducible()
    {
        var conv = new Conv2d(32, 64, 5, padding: 2, generator: new Generator(9));
        double bound = 1.0 / Math.Sqrt(32 * 25);
        Assert.All(conv.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(conv.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.Equal(bound / Math.Sqrt(3), Std(conv.Weight), 0.02 * bound);

        var linear = new Linear(1024, 64, generator: new Generator(9));
        double linearBound = 1.0 / Math.Sqrt(1024);
        Assert.All(linear.Weight.ToArray(), v => Assert.InRange(v, -linearBound, linearBound));
        Assert.All(linear.Bias!.ToArray(), v => Assert.InRange(v, -linearBound, linearBound));
        Assert.Equal(linear.Weight.ToArray(), new Linear(1024, 64, generator: new Generator(9)).Weight.ToArray());

        Init.ManualSeed(11);
        float[] first = new Linear(3, 2).Weight.ToArray();
        Init.ManualSeed(11);
        Assert.Equal(first, new Linear(3, 2).Weight.ToArray());
    }

    private static double Mean(Tensor t)
    {
        double sum = 0;
        foreach (float v in t.Span)
        {
            sum += v;
        }

        return sum / t.Length;
    }

    private static double Std(Tensor t)
    {
        double mean = Mean(t), sum = 0;
        foreach (float v in t.Span)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / (t.Length - 1));
    }
}
