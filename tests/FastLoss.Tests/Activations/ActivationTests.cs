using FastLoss.Functional;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Activations;

/// <summary>
/// The generated activations against float64 references at every length 0..300 (forward, and backward that
/// accumulates into an existing gradient), against finite differences, at extreme inputs, and for allocations.
/// Tolerance: 2e-6 relative plus 1e-7 absolute.
/// </summary>
public class ActivationTests
{
    public static TheoryData<string> Names() => ["relu", "sigmoid", "tanh"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_and_accumulating_backward_match_float64_at_every_length(string name)
    {
        var random = new Random(3);
        for (int n = 0; n <= 300; n++)
        {
            var x = new float[n];
            var upstream = new float[n];
            var grad = new float[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = (float)((random.NextDouble() * 16) - 8);
                if (i % 7 == 0)
                {
                    x[i] = 0f;
                }

                upstream[i] = (float)(random.NextDouble() - 0.5);
                grad[i] = 0.25f; // backward adds to what is there
            }

            var y = new float[n];
            Forward(name, x, y);
            Backward(name, x, upstream, grad);
            for (int i = 0; i < n; i++)
            {
                var (value, derivative) = Reference(name, x[i]);
                AssertClose(value, y[i], $"{name} f, n={n} [{i}]");
                AssertClose(0.25 + (upstream[i] * derivative), grad[i], $"{name} grad, n={n} [{i}]");
            }
        }
    }

    /// <summary>Gradient (which writes) and, for sigmoid and tanh, the kernels that read f's value instead of x.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Writing_and_output_based_gradients_match_float64_at_every_length(string name)
    {
        var random = new Random(5);
        for (int n = 0; n <= 300; n++)
        {
            var x = new float[n];
            var upstream = new float[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = (float)((random.NextDouble() * 16) - 8);
                upstream[i] = (float)(random.NextDouble() - 0.5);
            }

            var y = new float[n];
            Forward(name, x, y);
            var written = new float[n];
            Array.Fill(written, float.NaN); // nothing in it may be read
            switch (name)
            {
                case "relu": ReluActivation.Gradient(x, upstream, written); break;
                case "sigmoid": SigmoidActivation.Gradient(x, upstream, written); break;
                default: TanhActivation.Gradient(x, upstream, written); break;
            }

            var fromOutput = new float[n];
            var addedFromOutput = new float[n];
            Array.Fill(fromOutput, float.NaN);
            Array.Fill(addedFromOutput, 0.25f);
            if (name == "sigmoid")
            {
                SigmoidActivation.GradientFromOutput(y, upstream, fromOutput);
                SigmoidActivation.BackwardFromOutput(y, upstream, addedFromOutput);
            }
            else if (name == "tanh")
            {
                TanhActivation.GradientFromOutput(y, upstream, fromOutput);
                TanhActivation.BackwardFromOutput(y, upstream, addedFromOutput);
            }

            for (int i = 0; i < n; i++)
            {
                double derivative = Reference(name, x[i]).Derivative;
                AssertClose(upstream[i] * derivative, written[i], $"{name} Gradient, n={n} [{i}]");
                if (name != "relu")
                {
                    // f' from the float32 value of f: the rounding of f is carried into f'.
                    double fromValue = name == "sigmoid" ? (double)y[i] * (1 - (double)y[i]) : 1 - ((double)y[i] * y[i]);
                    AssertClose(upstream[i] * fromValue, fromOutput[i], $"{name} GradientFromOutput, n={n} [{i}]");
                    AssertClose(0.25 + (upstream[i] * fromValue), addedFromOutput[i], $"{name} BackwardFromOutput, n={n} [{i}]");
                    Assert.True(Math.Abs(fromValue - derivative) <= (1e-6 * Math.Abs(derivative)) + 1e-7, $"{name}'({x[i]}) from f: {fromValue} vs {derivative}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_matches_central_differences(string name)
    {
        float[] points = [-5f, -1.3f, -0.2f, 0.3f, 0.9f, 2.2f, 6f];
        var grad = new float[points.Length];
        var ones = new float[points.Length];
        Array.Fill(ones, 1f);
        Backward(name, points, ones, grad);
        for (int i = 0; i < points.Length; i++)
        {
            double h = 1e-6;
            double numeric = (Reference(name, points[i] + h).Value - Reference(name, points[i] - h).Value) / (2 * h);
            Assert.True(Math.Abs(grad[i] - numeric) <= (1e-4 * Math.Abs(numeric)) + 1e-6, $"{name} at {points[i]}: {grad[i]} vs {numeric}");
        }
    }

    [Fact]
    public void Relu_gradient_is_zero_at_zero_and_NaN_propagates()
    {
        float[] x = [0f, -0f, float.NaN, 1f];
        var y = new float[4];
        var grad = new float[4];
        ReluActivation.Forward(x, y);
        ReluActivation.Backward(x, [1f, 1f, 1f, 1f], grad);
        Assert.Equal(0f, y[0]);
        Assert.True(float.IsNaN(y[2]));
        Assert.Equal(0f, grad[0]);
        Assert.Equal(0f, grad[1]);
        Assert.Equal(1f, grad[3]);
    }

    [Fact]
    public void Sigmoid_saturates_without_NaN_at_extreme_inputs()
    {
        float[] x = new float[40];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = i % 2 == 0 ? 1000f : -1000f;
        }

        var y = new float[x.Length];
        SigmoidActivation.Forward(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? 1f : 0f, y[i]);
        }
    }

    [Fact]
    public void Activations_allocate_nothing()
    {
        var x = new float[1000];
        var y = new float[1000];
        var g = new float[1000];
        Assert.Equal(0, SteadyState.AllocatedBytes(() => RunAll(x, y, g), 1000));
    }

    private static void RunAll(float[] x, float[] y, float[] g)
    {
        ReluActivation.Forward(x, y);
        ReluActivation.Backward(x, y, g);
        SigmoidActivation.Forward(x, y);
        SigmoidActivation.Backward(x, y, g);
        TanhActivation.Forward(x, y);
        TanhActivation.Backward(x, y, g);
    }

    private static void Forward(string name, float[] x, float[] y)
    {
        switch (name)
        {
            case "relu": ReluActivation.Forward(x, y); break;
            case "sigmoid": SigmoidActivation.Forward(x, y); break;
            default: TanhActivation.Forward(x, y); break;
        }
    }

    private static void Backward(string name, float[] x, float[] upstream, float[] grad)
    {
        switch (name)
        {
            case "relu": ReluActivation.Backward(x, upstream, grad); break;
            case "sigmoid": SigmoidActivation.Backward(x, upstream, grad); break;
            default: TanhActivation.Backward(x, upstream, grad); break;
        }
    }

    private static (double Value, double Derivative) Reference(string name, double x)
    {
        switch (name)
        {
            case "relu":
                return (Math.Max(x, 0), x > 0 ? 1 : 0);
            case "sigmoid":
                double s = 1 / (1 + Math.Exp(-x));
                return (s, s * (1 - s));
            default:
                double t = Math.Tanh(x);
                return (t, 1 - (t * t));
        }
    }

    private static void AssertClose(double expected, float actual, string where)
    {
        Assert.True(Math.Abs(actual - expected) <= (2e-6 * Math.Abs(expected)) + 1e-7, $"{where}: expected {expected:R}, got {actual:R}");
    }
}
