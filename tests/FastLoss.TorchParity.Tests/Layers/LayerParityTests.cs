using FastLoss.Autograd;
using FastLoss.NN;
using TorchSharp;
using static FastLoss.TorchParity.Tests.TorchConvert;

namespace FastLoss.TorchParity.Tests.Layers;

/// <summary>
/// Conv2d, MaxPool2d and Linear against libtorch with the same weights and the same upstream gradient
/// (the backward of sum(r * y) for a fixed r). Convolution: 1e-5 relative + 1e-6 times the sum of the magnitudes
/// of the element's terms (up to 2048 products summed in another order); Linear: 1e-5 relative + 1e-5 absolute;
/// max pooling is exact.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class LayerParityTests
{
    public LayerParityTests() => GradMode.ReleaseThreadResults();

    public static TheoryData<int, int, int, int, int, int, int, int, bool> ConvCases => new()
    {
        // batch, in, height, width, out, kernel, stride, padding, bias
        { 2, 3, 32, 32, 32, 5, 1, 2, true },
        { 3, 32, 16, 16, 32, 5, 1, 2, true },
        { 2, 32, 8, 8, 64, 5, 1, 2, true },
        { 2, 16, 7, 9, 32, 5, 1, 1, true },
        { 1, 32, 9, 7, 32, 5, 1, 0, false },
        { 2, 3, 9, 7, 4, 3, 2, 1, false },
        { 1, 2, 11, 10, 5, 4, 3, 0, true },
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_forward_and_gradients_match_torch(
        int batch, int inChannels, int height, int width, int outChannels, int kernel, int stride, int padding, bool bias)
    {
        var layer = new Conv2d(inChannels, outChannels, kernel, stride, padding, bias, new Generator(batch + kernel));
        Tensor x = Uniform(new Generator(5), batch, inChannels, height, width);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);

        using var scope = torch.NewDisposeScope();
        torch.Tensor tx = ToTorch(x, requiresGrad: true), tw = ToTorch(layer.Weight, requiresGrad: true);
        torch.Tensor? tb = layer.Bias is null ? null : ToTorch(layer.Bias, requiresGrad: true);
        torch.Tensor ty = torch.nn.functional.conv2d(tx, tw, tb, strides: [stride, stride], padding: [padding, padding]);
        Assert.Equal(ShapeOf(ty), y.Shape.ToArray());
        Tensor r = Uniform(new Generator(6), y.Shape.ToArray());
        Backward(y, r);
        (ty * ToTorch(r)).sum().backward();

        // The same computation on absolute values gives, per element, the sum of the magnitudes of its terms:
        // float32 sums in another order differ by a small multiple of 2^-24 of that.
        torch.Tensor ax = ToTorch(x).abs().requires_grad_(true), aw = ToTorch(layer.Weight).abs().requires_grad_(true);
        torch.Tensor? ab = tb is null ? null : ToTorch(layer.Bias!).abs().requires_grad_(true);
        torch.Tensor ay = torch.nn.functional.conv2d(ax, aw, ab, strides: [stride, stride], padding: [padding, padding]);
        (ay * ToTorch(r).abs()).sum().backward();

        Closeness.AssertClose(ToArray(ty), y.Span, 1e-5, 1e-6, "conv2d output", ToArray(ay));
        Closeness.AssertClose(ToArray(tx.grad!), x.Grad!.Span, 1e-5, 1e-6, "input gradient", ToArray(ax.grad!));
        Closeness.AssertClose(ToArray(tw.grad!), layer.Weight.Grad!.Span, 1e-5, 1e-6, "weight gradient", ToArray(aw.grad!));
        if (tb is not null)
        {
            Closeness.AssertClose(ToArray(tb.grad!), layer.Bias!.Grad!.Span, 1e-5, 1e-6, "bias gradient", ToArray(ab!.grad!));
        }
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(3, 2)]
    [InlineData(3, 1)]
    public void MaxPool2d_with_ties_NaN_and_infinities_matches_torch(int kernel, int? stride)
    {
        float[] values = new float[2 * 3 * 9 * 37];
        var random = new Random(kernel * 10 + (stride ?? 0));
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(10) switch
            {
                0 => float.NaN,
                1 => float.NegativeInfinity,
                2 => float.PositiveInfinity,
                3 or 4 => 0.25f,
                _ => (float)random.NextDouble(),
            };
        }

        Tensor x = Tensor.FromValues(values, 2, 3, 9, 37);
        x.RequiresGrad = true;
        Tensor y = new MaxPool2d(kernel, stride).Forward(x);

        using var scope = torch.NewDisposeScope();
        torch.Tensor tx = ToTorch(x, requiresGrad: true);
        torch.Tensor ty = torch.nn.functional.max_pool2d(tx, kernel, stride ?? kernel);
        Closeness.AssertClose(ToArray(ty), y.Span, 0, 0, "max_pool2d output");

        Tensor r = Uniform(new Generator(7), y.Shape.ToArray());
        Backward(y, r);
        (ty * ToTorch(r)).sum().backward();
        Closeness.AssertClose(ToArray(tx.grad!), x.Grad!.Span, 1e-6, 1e-6, "input gradient");
    }

    [Theory]
    [InlineData(8, 1024, 64, "vector")]
    [InlineData(5, 4, 3, "scalar")]
    [InlineData(3, 17, 33, "none")]
    public void Linear_with_vector_scalar_or_no_bias_matches_torch(int rows, int inFeatures, int outFeatures, string bias)
    {
        var layer = new Linear(inFeatures, outFeatures, bias: bias != "none", generator: new Generator(rows));
        if (bias == "scalar")
        {
            layer.SetScalarBias(5.5f);
        }

        Tensor x = Uniform(new Generator(8), rows, inFeatures);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);

        using var scope = torch.NewDisposeScope();
        torch.Tensor tx = ToTorch(x, requiresGrad: true), tw = ToTorch(layer.Weight, requiresGrad: true);
        torch.Tensor? tb = layer.Bias is null ? null : ToTorch(layer.Bias, requiresGrad: true);
        // A 0-dim bias broadcasts over the units, as the first seed's bias.data = torch.tensor(5.5) does.
        torch.Tensor ty = tb is null ? torch.nn.functional.linear(tx, tw) : torch.nn.functional.linear(tx, tw) + tb;
        Closeness.AssertClose(ToArray(ty), y.Span, 1e-5, 1e-5, "linear output");

        Tensor r = Uniform(new Generator(9), rows, outFeatures);
        Backward(y, r);
        (ty * ToTorch(r)).sum().backward();
        Closeness.AssertClose(ToArray(tx.grad!), x.Grad!.Span, 1e-5, 1e-5, "input gradient");
        Closeness.AssertClose(ToArray(tw.grad!), layer.Weight.Grad!.Span, 1e-5, 1e-5, "weight gradient");
        if (tb is not null)
        {
            Closeness.AssertClose(ToArray(tb.grad!), layer.Bias!.Grad!.Span, 1e-5, 1e-5, "bias gradient");
        }
    }

    internal static Tensor Uniform(Generator generator, params int[] shape) => Init.Uniform(Tensor.Zeros(shape), -1, 1, generator);

    /// <summary>Back-propagates sum(r * y) from y by giving y the gradient r, as torch's y.backward(r).</summary>
    internal static void Backward(Tensor y, Tensor r) => y.Backward(r);
}
