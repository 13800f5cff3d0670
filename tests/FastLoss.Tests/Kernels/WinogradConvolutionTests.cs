using System.Runtime.Intrinsics;
using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// The F(2x2, 5x5) convolution on single images against a float64 direct convolution: the forward pass (with and
/// without bias, overwriting and accumulating) and the input gradient (the transposed geometry with the flipped,
/// transposed weight). Geometries cover odd sizes whose last tiles are cropped, tile counts that are not whole
/// blocks of 8, outputs of one pixel, padding from 0 to 4, and several 16-channel vectors and 32-channel slivers.
/// The scratch starts as NaN, so nothing is read before it is written.
/// Tolerance: 16 units of 2^-24 of the sum of the products' magnitudes over the output's tile. Every product of
/// the tile's inputs with the kernel passes through the transforms of each of its four outputs (and cancels
/// exactly where it does not belong), so an output's rounding scales with its tile, not with its own terms; it
/// measured at most 6 such units per output's own magnitude on the seed shapes and up to 17 at padded borders,
/// the same order as a direct float32 sum of a few hundred products (about √n units typically, n at worst).
/// The weight gradient is checked against 64 units of the mean magnitude of its kernel's 25 taps: each weight comes
/// from Gᵀ dU G, which mixes all 36 transformed sums of its kernel (measured up to 40 such units).
/// </summary>
public sealed unsafe class WinogradConvolutionTests
{
    private const double UnitsOfMagnitude = 16;

    public static TheoryData<int, int, int, int, int> Geometries => new()
    {
        // in, height, width, out, padding
        { 32, 16, 16, 32, 2 },
        { 32, 8, 8, 64, 2 },
        { 16, 7, 9, 32, 2 },
        { 16, 1, 1, 32, 2 },
        { 16, 5, 6, 32, 0 },
        { 16, 9, 5, 64, 4 },
        { 48, 6, 11, 96, 3 },
        { 16, 13, 3, 32, 1 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void The_forward_pass_matches_a_float64_direct_convolution(int inChannels, int height, int width, int outChannels, int padding)
    {
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, 5, 5, 1, 1, padding, padding);
        float[] image = TestData.Uniform(g.InputSize, 1), weight = TestData.Uniform(g.WeightSize, 2), bias = TestData.Uniform(outChannels, 3);
        var reference = new DirectConvolution(g, image, weight);
        var winograd = new WinogradConvolution(g);
        winograd.TransformWeight(weight, flippedTranspose: false);

        foreach (bool withBias in new[] { true, false })
        {
            float[] output = new float[g.OutputSize];
            output.AsSpan().Fill(float.NaN);
            Run(winograd, image, output, withBias ? bias : default, accumulate: false);
            (double[] expected, double[] magnitude) = reference.Forward(withBias ? bias : new float[outChannels]);
            AssertWithin(expected, TileMagnitude(g, magnitude), output, $"output (bias: {withBias})");
        }

        float[] initial = TestData.Uniform(g.OutputSize, 4);
        float[] accumulated = (float[])initial.Clone();
        Run(winograd, image, accumulated, default, accumulate: true);
        (double[] sum, double[] sumMagnitude) = reference.Forward(new float[outChannels]);
        AssertWithin(Add(sum, initial), Add(TileMagnitude(g, sumMagnitude), initial, absolute: true), accumulated, "accumulated output");
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void The_transposed_geometry_with_the_flipped_weight_is_the_input_gradient(int inChannels, int height, int width, int outChannels, int padding)
    {
        // The layer whose input gradient this is maps outChannels to inChannels; its transposed geometry is ours
        // (padding 4 - padding).
        var layer = new Conv2dGeometry(outChannels, height, width, inChannels, 5, 5, 1, 1, padding, padding);
        Assert.True(layer.HasTransposedConvolution);
        Conv2dGeometry g = layer.Transposed;
        Assert.True(WinogradConvolution.CanCompute(g), $"{g}");
        float[] layerImage = TestData.Uniform(layer.InputSize, 5), layerWeight = TestData.Uniform(layer.WeightSize, 6);
        float[] outputGrad = TestData.Uniform(layer.OutputSize, 7), initial = TestData.Uniform(layer.InputSize, 8);
        var winograd = new WinogradConvolution(g);
        winograd.TransformWeight(layerWeight, flippedTranspose: true);
        float[] inputGrad = (float[])initial.Clone();
        Run(winograd, outputGrad, inputGrad, default, accumulate: true);

        (double[] expected, double[] magnitude) = new DirectConvolution(layer, layerImage, layerWeight).InputGrad(outputGrad);
        AssertWithin(Add(expected, initial), Add(TileMagnitude(g, magnitude), initial, absolute: true), inputGrad, "input gradient");
    }

    public static TheoryData<int, int, int, int, int> WeightGradGeometries => new()
    {
        // in (whole 32-channel slivers), height, width, out, padding; every tap meets the image
        { 32, 16, 16, 32, 2 },
        { 32, 8, 8, 64, 2 },
        { 32, 7, 9, 32, 1 },
        { 64, 5, 3, 32, 4 },
        { 32, 3, 3, 32, 2 },
        { 32, 6, 11, 96, 3 },
    };

    [Theory]
    [MemberData(nameof(WeightGradGeometries))]
    public void The_weight_gradient_over_two_images_matches_a_float64_direct_convolution(int inChannels, int height, int width, int outChannels, int padding)
    {
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, 5, 5, 1, 1, padding, padding);
        Assert.True(WinogradConvolution.CanComputeWeightGrad(g));
        Assert.Equal(Vector512.IsHardwareAccelerated, WinogradConvolution.PrefersWeightGrad(g));
        var winograd = new WinogradConvolution(g);
        float[] transformed = new float[winograd.TransformedWeightGradSize];
        float[] initial = TestData.Uniform(g.WeightSize, 20);
        var expected = new double[g.WeightSize];
        var magnitude = new double[g.WeightSize];
        for (int image = 0; image < 2; image++)
        {
            float[] x = TestData.Uniform(g.InputSize, 21 + image), dy = TestData.Uniform(g.OutputSize, 23 + image);
            float[] scratch = new float[winograd.WeightGradScratchSize];
            scratch.AsSpan().Fill(float.NaN);
            fixed (float* px = x, pdy = dy, pt = transformed, ps = scratch)
            {
                winograd.AccumulateTransformedWeightGrad(px, pdy, pt, ps);
            }

            (double[] values, double[] magnitudes) = new DirectConvolution(g, x, new float[g.WeightSize]).WeightGrad(dy);
            for (int i = 0; i < values.Length; i++)
            {
                expected[i] += values[i];
                magnitude[i] += magnitudes[i];
            }
        }

        float[] weightGrad = (float[])initial.Clone();
        winograd.AddWeightGrad(transformed, weightGrad);
        for (int i = 0; i < weightGrad.Length; i++)
        {
            double kernelMagnitude = 0;
            for (int tap = i / 25 * 25; tap < (i / 25 * 25) + 25; tap++)
            {
                kernelMagnitude += magnitude[tap];
            }

            double bound = (64 * Math.Pow(2, -24) * kernelMagnitude / 25) + (Math.Pow(2, -24) * Math.Abs(initial[i]));
            double error = Math.Abs(weightGrad[i] - (expected[i] + initial[i]));
            Assert.True(error <= bound, $"weight gradient[{i}] = {weightGrad[i]:R}, expected {expected[i] + initial[i]:R} within {bound:E2}");
        }
    }

    [Theory]
    [InlineData(16, 8, 8, 32, 2)]
    [InlineData(32, 1, 1, 32, 2)]
    [InlineData(32, 2, 8, 32, 2)]
    public void The_weight_gradient_is_left_to_the_direct_product_where_channels_are_ragged_or_taps_never_meet_the_image(int inChannels, int height, int width, int outChannels, int padding)
    {
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, 5, 5, 1, 1, padding, padding);
        Assert.False(WinogradConvolution.PrefersWeightGrad(g));
        Assert.Equal(inChannels % 32 == 0, WinogradConvolution.CanComputeWeightGrad(g));
    }

    [Fact]
    public void A_new_weight_replaces_the_old_one_and_repeated_runs_give_the_same_bits()
    {
        var g = new Conv2dGeometry(16, 6, 6, 32, 5, 5, 1, 1, 2, 2);
        float[] image = TestData.Uniform(g.InputSize, 9);
        var winograd = new WinogradConvolution(g);
        float[] first = new float[g.OutputSize], again = new float[g.OutputSize];
        winograd.TransformWeight(TestData.Uniform(g.WeightSize, 10), flippedTranspose: false);
        Run(winograd, image, first, default, accumulate: false);
        Run(winograd, image, again, default, accumulate: false);
        Assert.Equal(first, again);

        float[] weight = TestData.Uniform(g.WeightSize, 11);
        winograd.TransformWeight(weight, flippedTranspose: false);
        float[] output = new float[g.OutputSize];
        Run(winograd, image, output, default, accumulate: false);
        (double[] expected, double[] magnitude) = new DirectConvolution(g, image, weight).Forward(new float[32]);
        AssertWithin(expected, TileMagnitude(g, magnitude), output, "output with the new weight");
    }

    [Theory]
    [InlineData(16, 8, 8, 32, 3, 1, 2)]
    [InlineData(16, 8, 8, 32, 5, 2, 2)]
    [InlineData(8, 8, 8, 32, 5, 1, 2)]
    [InlineData(16, 8, 8, 16, 5, 1, 2)]
    [InlineData(3, 32, 32, 32, 5, 1, 2)]
    public void Geometries_it_cannot_compute_are_refused_with_the_reason(int inChannels, int height, int width, int outChannels, int kernel, int stride, int padding)
    {
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, kernel, kernel, stride, stride, padding, padding);
        Assert.False(WinogradConvolution.CanCompute(g));
        Assert.False(WinogradConvolution.Prefers(g));
        var error = Assert.Throws<ArgumentException>(() => new WinogradConvolution(g));
        Assert.Contains("a 5 x 5 kernel, input channels a multiple of 16, output channels a multiple of 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_seed_cnn_uses_it_for_conv2_and_conv3_and_their_input_gradients_where_vector512_is_fast()
    {
        var conv2 = new Conv2dGeometry(32, 16, 16, 32, 5, 5, 1, 1, 2, 2);
        var conv3 = new Conv2dGeometry(32, 8, 8, 64, 5, 5, 1, 1, 2, 2);
        foreach (Conv2dGeometry g in new[] { conv2, conv3, conv2.Transposed, conv3.Transposed })
        {
            Assert.True(WinogradConvolution.CanCompute(g), $"{g}");
            Assert.Equal(Vector512.IsHardwareAccelerated, WinogradConvolution.Prefers(g));
        }

        // conv1's three input channels are not a whole vector.
        Assert.False(WinogradConvolution.Prefers(new Conv2dGeometry(3, 32, 32, 32, 5, 5, 1, 1, 2, 2)));
    }

    [Fact]
    public void A_weight_of_the_wrong_size_is_rejected()
    {
        var winograd = new WinogradConvolution(new Conv2dGeometry(16, 4, 4, 32, 5, 5, 1, 1, 2, 2));
        var error = Assert.Throws<ArgumentException>(() => winograd.TransformWeight(new float[100], flippedTranspose: false));
        Assert.Contains("the weight has 100 values, expected 12800", error.Message, StringComparison.Ordinal);
    }

    private static void Run(WinogradConvolution winograd, float[] image, float[] output, ReadOnlySpan<float> bias, bool accumulate)
    {
        float[] scratch = new float[winograd.ScratchSize];
        scratch.AsSpan().Fill(float.NaN);
        fixed (float* x = image, y = output, s = scratch)
        {
            winograd.Run(x, y, bias, accumulate, s);
        }
    }

    private static void AssertWithin(double[] expected, double[] magnitude, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = (UnitsOfMagnitude * Math.Pow(2, -24) * magnitude[i]) + 1e-30;
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
            {
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} within {bound:E2}");
            }
        }
    }

    /// <summary>For each output, the sum of the magnitudes of the outputs of its 2 x 2 tile (cropped at the edges).</summary>
    private static double[] TileMagnitude(in Conv2dGeometry g, double[] magnitude)
    {
        int height = g.OutHeight, width = g.OutWidth, pixels = height * width;
        var tile = new double[magnitude.Length];
        for (int o = 0; o < g.OutChannels; o++)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int top = y / 2 * 2, left = x / 2 * 2;
                    double sum = 0;
                    for (int ty = top; ty < Math.Min(top + 2, height); ty++)
                    {
                        for (int tx = left; tx < Math.Min(left + 2, width); tx++)
                        {
                            sum += magnitude[(o * pixels) + (ty * width) + tx];
                        }
                    }

                    tile[(o * pixels) + (y * width) + x] = sum;
                }
            }
        }

        return tile;
    }

    private static double[] Add(double[] values, float[] initial, bool absolute = false)
    {
        var sum = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            sum[i] = values[i] + (absolute ? Math.Abs(initial[i]) : initial[i]);
        }

        return sum;
    }
}
