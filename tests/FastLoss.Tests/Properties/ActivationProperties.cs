using System.Globalization;
using CsCheck;
using FastLoss.Functional;

namespace FastLoss.Tests.Properties;

/// <summary>
/// ReLU, Sigmoid and Tanh through every span entry point (Forward; Gradient, which writes; Backward, which adds;
/// and for Sigmoid and Tanh the kernels that read the output) against float64, over lengths 0 to 1,000 with ±0,
/// subnormals, huge magnitudes, infinities and NaN. ReLU's gradient is torch's threshold backward: 1 at NaN.
/// Tolerance as <see cref="Activations.ActivationTests"/>: 2e-6 relative plus 1e-7.
/// </summary>
public sealed class ActivationProperties
{
    private const double Relative = 2e-6;
    private const double Absolute = 1e-7;

    private static readonly string[] Names = ["relu", "sigmoid", "tanh"];

    private static readonly Gen<(string Name, float[] Input, float[] Upstream, float[] Existing)> Samples =
        Gen.Int[0, Names.Length - 1].SelectMany(k => Values.Length.SelectMany(n => Gen.Select(
            Values.Any.Array[n], Values.Upstream.Array[n], Values.Ordinary.Array[n],
            (x, u, existing) => (Names[k], x, u, existing))));

    [Fact]
    public void Every_span_entry_point_matches_the_float64_reference() =>
        PropertyCheck.Run(Samples, sample => Check(sample.Name, sample.Input, sample.Upstream, sample.Existing), ciIterations: 300);

    private static void Check(string name, float[] x, float[] u, float[] existing)
    {
        int n = x.Length;
        float[] y = new float[n], written = new float[n], added = (float[])existing.Clone();
        Array.Fill(written, float.NaN); // nothing in it may be read
        switch (name)
        {
            case "relu":
                ReluActivation.Forward(x, y);
                ReluActivation.Gradient(x, u, written);
                ReluActivation.Backward(x, u, added);
                break;
            case "sigmoid":
                SigmoidActivation.Forward(x, y);
                SigmoidActivation.Gradient(x, u, written);
                SigmoidActivation.Backward(x, u, added);
                break;
            default:
                TanhActivation.Forward(x, y);
                TanhActivation.Gradient(x, u, written);
                TanhActivation.Backward(x, u, added);
                break;
        }

        float[] fromOutput = new float[n], addedFromOutput = (float[])existing.Clone();
        if (name == "sigmoid")
        {
            SigmoidActivation.GradientFromOutput(y, u, fromOutput);
            SigmoidActivation.BackwardFromOutput(y, u, addedFromOutput);
        }
        else if (name == "tanh")
        {
            TanhActivation.GradientFromOutput(y, u, fromOutput);
            TanhActivation.BackwardFromOutput(y, u, addedFromOutput);
        }

        for (int i = 0; i < n; i++)
        {
            var (value, derivative) = Reference(name, x[i]);
            string where = string.Create(CultureInfo.InvariantCulture, $"{name}, n={n} [{i}], x {x[i]:R}, upstream {u[i]:R}");
            Expect.Close(value, y[i], Relative, Absolute, 0, where + ", forward");
            // Sigmoid's s (1 - s) and tanh's 1 - t^2 are computed from the rounded s or t (as torch's are), so their
            // error is relative to 1, times the upstream gradient, not to the small derivative near saturation.
            double scale = name == "relu" ? 0 : Math.Abs(u[i]);
            Expect.Close(u[i] * derivative, written[i], Relative, Absolute, scale, where + ", gradient");
            Expect.Close(existing[i] + (u[i] * derivative), added[i], Relative, Absolute, Math.Abs(existing[i]) + scale, where + ", backward (adds)");
            if (name != "relu")
            {
                // From the float32 output: y (1 - y) or 1 - y^2 of the rounded y, as torch's sigmoid_backward and tanh_backward.
                double fromValue = name == "sigmoid" ? y[i] * (1.0 - y[i]) : 1.0 - ((double)y[i] * y[i]);
                Expect.Close(u[i] * fromValue, fromOutput[i], Relative, Absolute, scale, where + ", gradient from output");
                Expect.Close(existing[i] + (u[i] * fromValue), addedFromOutput[i], Relative, Absolute, Math.Abs(existing[i]) + scale, where + ", backward from output (adds)");
            }
        }
    }

    private static (double Value, double Derivative) Reference(string name, float x)
    {
        switch (name)
        {
            case "relu":
                return (double.IsNaN(x) ? double.NaN : Math.Max(x, 0), x <= 0 ? 0 : 1);
            case "sigmoid":
                double s = x >= 0 ? 1 / (1 + Math.Exp(-(double)x)) : Math.Exp(x) / (1 + Math.Exp(x));
                return (s, s * (1 - s));
            default:
                double t = Math.Tanh(x);
                return (t, 1 - (t * t));
        }
    }
}
