using System.Globalization;
using CsCheck;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Properties;

/// <summary>
/// Linear, Conv2d and MaxPool2d modules, forward and backward through the autograd, against float64 references
/// over generated shapes and options. Linear's inputs hold ±0, subnormals, values up to 1e15, infinities and NaN
/// (which reach exactly the outputs and gradients the reference says, and leave nothing behind for the next call);
/// Conv2d's and MaxPool2d's finite ones (MaxPool2d's NaN rule is its own test). Tolerance: 2e-5 of the sum of the
/// terms' sizes (float32 accumulation over up to a few hundred products) plus 1e-6.
/// </summary>
public sealed class ModuleProperties
{
    private const double Relative = 2e-5;
    private const double Absolute = 1e-6;

    private static readonly Gen<float> Moderate = Gen.Frequency(
        (60, Gen.Float[-2f, 2f]), (4, Values.SignedZero), (4, Values.Subnormal), (2, Gen.Float[1e10f, 1e15f].Select(Gen.Bool, (v, negative) => negative ? -v : v)));

    private static readonly Gen<float> WithNonFinite = Gen.Frequency((40, Moderate), (1, Values.Infinity), (1, Values.NaN));

    private static readonly Gen<LinearSample> LinearSamples =
        Gen.Select(Gen.Int[1, 16], Gen.Int[1, 70], Gen.Int[1, 40], Gen.Bool).SelectMany(shape => Gen.Select(
            WithNonFinite.Array[shape.Item1 * shape.Item2],
            Moderate.Array[shape.Item3 * shape.Item2],
            Moderate.Array[shape.Item3],
            Values.Upstream.Array[shape.Item1 * shape.Item3],
            (x, w, b, r) => new LinearSample(shape.Item1, shape.Item2, shape.Item3, shape.Item4, x, w, b, r)));

    private static readonly Gen<ConvSample> ConvSamples =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 9], Gen.Int[1, 6], Gen.Int[1, 5]).SelectMany(channels =>
            Gen.Select(Gen.Int[1, 3], Gen.Int[0, 2], Gen.Int[1, 2], Gen.Bool).SelectMany(geometry =>
                Gen.Select(Gen.Int[geometry.Item1, 9], Gen.Int[geometry.Item1, 9]).SelectMany(size =>
                {
                    var (batch, inChannels, outChannels, _) = channels;
                    var (kernel, padding, stride, bias) = geometry;
                    int oh = ((size.Item1 + (2 * padding) - kernel) / stride) + 1, ow = ((size.Item2 + (2 * padding) - kernel) / stride) + 1;
                    return Gen.Select(
                        Moderate.Array[batch * inChannels * size.Item1 * size.Item2],
                        Moderate.Array[outChannels * inChannels * kernel * kernel],
                        Moderate.Array[outChannels],
                        Values.Upstream.Array[batch * outChannels * oh * ow],
                        (x, w, b, r) => new ConvSample(batch, inChannels, size.Item1, size.Item2, outChannels, kernel, stride, padding, bias, x, w, b, r));
                })));

    private static readonly Gen<PoolSample> PoolSamples =
        Gen.Select(Gen.Int[1, 6], Gen.Int[1, 4], Gen.Int[1, 3]).SelectMany(window =>
            Gen.Select(Gen.Int[window.Item2, 12], Gen.Int[window.Item2, 12]).SelectMany(size => Gen.Select(
                Values.Finite.Array[window.Item1 * size.Item1 * size.Item2],
                Values.Upstream.Array[window.Item1 * (((size.Item1 - window.Item2) / window.Item3) + 1) * (((size.Item2 - window.Item2) / window.Item3) + 1)],
                (x, r) => new PoolSample(window.Item1, size.Item1, size.Item2, window.Item2, window.Item3, x, r))));

    public ModuleProperties() => FastLoss.Autograd.GradMode.ReleaseThreadResults();

    [Fact]
    public void Linear_matches_the_float64_reference() => PropertyCheck.Run(LinearSamples, CheckLinear, ciIterations: 150);

    [Fact]
    public void Conv2d_matches_the_float64_reference() => PropertyCheck.Run(ConvSamples, CheckConv, ciIterations: 80);

    [Fact]
    public void MaxPool2d_matches_the_float64_reference() => PropertyCheck.Run(PoolSamples, CheckPool, ciIterations: 150);

    private static void CheckLinear(LinearSample s)
    {
        var layer = new Linear(s.In, s.Out, s.HasBias);
        s.Weight.CopyTo(layer.Weight.Span);
        if (layer.Bias is not null)
        {
            s.Bias.CopyTo(layer.Bias.Span);
        }

        var x = Tensor.FromValues(s.Input, s.Rows, s.In);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);
        new WeightedSumLoss(s.Upstream).Forward(y).Backward();

        double[] xd = ToDouble(s.Input), wd = ToDouble(s.Weight), r = ToDouble(s.Upstream);
        double[]? bd = s.HasBias ? ToDouble(s.Bias) : null;
        double[] expected = Reference.Linear(xd, s.Rows, s.In, wd, bd, s.Out);
        double[] size = Reference.Linear(Abs(xd), s.Rows, s.In, Abs(wd), bd is null ? null : Abs(bd), s.Out);
        Elements(expected, size, y.Span, s + " output");

        // dx = r W, dW = r^T x, db = sum of r over rows.
        var dx = new double[xd.Length];
        var dxSize = new double[xd.Length];
        var dw = new double[wd.Length];
        var dwSize = new double[wd.Length];
        var db = new double[s.Out];
        var dbSize = new double[s.Out];
        for (int row = 0; row < s.Rows; row++)
        {
            for (int o = 0; o < s.Out; o++)
            {
                double g = r[(row * s.Out) + o];
                db[o] += g;
                dbSize[o] += Math.Abs(g);
                for (int i = 0; i < s.In; i++)
                {
                    dx[(row * s.In) + i] += g * wd[(o * s.In) + i];
                    dxSize[(row * s.In) + i] += Math.Abs(g * wd[(o * s.In) + i]);
                    dw[(o * s.In) + i] += g * xd[(row * s.In) + i];
                    dwSize[(o * s.In) + i] += Math.Abs(g * xd[(row * s.In) + i]);
                }
            }
        }

        Elements(dx, dxSize, x.Grad!.Span, s + " input gradient");
        Elements(dw, dwSize, layer.Weight.Grad!.Span, s + " weight gradient");
        if (layer.Bias is not null)
        {
            Elements(db, dbSize, layer.Bias.Grad!.Span, s + " bias gradient");
        }
    }

    private static void CheckConv(ConvSample s)
    {
        var layer = new Conv2d(s.In, s.Out, s.Kernel, s.Stride, s.Padding, s.HasBias);
        s.Weight.CopyTo(layer.Weight.Span);
        if (layer.Bias is not null)
        {
            s.Bias.CopyTo(layer.Bias.Span);
        }

        var x = Tensor.FromValues(s.Input, s.Batch, s.In, s.Height, s.Width);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);
        new WeightedSumLoss(s.Upstream).Forward(y).Backward();

        double[] xd = ToDouble(s.Input), wd = ToDouble(s.Weight), r = ToDouble(s.Upstream);
        double[]? bd = s.HasBias ? ToDouble(s.Bias) : null;
        double[] expected = Reference.Conv2d(xd, s.Batch, s.In, s.Height, s.Width, wd, bd, s.Out, s.Kernel, s.Stride, s.Padding, out _, out _);
        double[] size = Reference.Conv2d(Abs(xd), s.Batch, s.In, s.Height, s.Width, Abs(wd), bd is null ? null : Abs(bd), s.Out, s.Kernel, s.Stride, s.Padding, out _, out _);
        Elements(expected, size, y.Span, s + " output");

        var (dx, dw, db) = Reference.Conv2dGrads(xd, s.Batch, s.In, s.Height, s.Width, wd, s.Out, s.Kernel, s.Stride, s.Padding, r);
        var (dxSize, dwSize, dbSize) = Reference.Conv2dGrads(Abs(xd), s.Batch, s.In, s.Height, s.Width, Abs(wd), s.Out, s.Kernel, s.Stride, s.Padding, Abs(r));
        Elements(dx, dxSize, x.Grad!.Span, s + " input gradient");
        Elements(dw, dwSize, layer.Weight.Grad!.Span, s + " weight gradient");
        if (layer.Bias is not null)
        {
            Elements(db, dbSize, layer.Bias.Grad!.Span, s + " bias gradient");
        }
    }

    private static void CheckPool(PoolSample s)
    {
        var layer = new MaxPool2d(s.Kernel, s.Stride);
        var x = Tensor.FromValues(s.Input, 1, s.Planes, s.Height, s.Width);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);
        new WeightedSumLoss(s.Upstream).Forward(y).Backward();

        var (expected, winners) = Reference.MaxPool2d(ToDouble(s.Input), s.Planes, s.Height, s.Width, s.Kernel, s.Stride);
        var dx = new double[s.Input.Length];
        var dxSize = new double[s.Input.Length];
        for (int k = 0; k < winners.Length; k++)
        {
            dx[winners[k]] += s.Upstream[k];
            dxSize[winners[k]] += Math.Abs(s.Upstream[k]);
        }

        Elements(expected, new double[expected.Length], y.Span, s + " output"); // pooling copies: exact
        Elements(dx, dxSize, x.Grad!.Span, s + " input gradient");
    }

    private static void Elements(double[] expected, double[] size, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Expect.Close(expected[k], actual[k], Relative, Absolute, size[k], $"{what} [{k}]");
        }
    }

    private static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    private static double[] Abs(double[] values) => Array.ConvertAll(values, Math.Abs);

    internal sealed record LinearSample(int Rows, int In, int Out, bool HasBias, float[] Input, float[] Weight, float[] Bias, float[] Upstream)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Linear({In}, {Out}, bias: {HasBias}) on {Rows} rows");
    }

    internal sealed record ConvSample(
        int Batch, int In, int Height, int Width, int Out, int Kernel, int Stride, int Padding, bool HasBias,
        float[] Input, float[] Weight, float[] Bias, float[] Upstream)
    {
        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"Conv2d({In}, {Out}, kernel {Kernel}, stride {Stride}, padding {Padding}, bias: {HasBias}) on ({Batch}, {In}, {Height}, {Width})");
    }

    internal sealed record PoolSample(int Planes, int Height, int Width, int Kernel, int Stride, float[] Input, float[] Upstream)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"MaxPool2d({Kernel}, stride {Stride}) on (1, {Planes}, {Height}, {Width})");
    }
}
