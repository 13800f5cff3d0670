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
        AssertWithin(DirectConvolution.PlusInitial(sum, initial), DirectConvolution.PlusInitial(TileMagnitude(g, sumMagnitude), initial, absolute: true), accumulated, "accumulated output");
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
        AssertWithin(DirectConvolution.PlusInitial(expected, initial), DirectConvolution.PlusInitial(TileMagnitude(g, magnitude), initial, absolute: true), inputGrad, "input gradient");
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Rounding_stays_within_torch_paritys_tolerance_of_the_exact_result(int inChannels, int height, int width, int outChannels, int padding)
    {
        // Weights at torch's default scale (1 / sqrt(fan_in)) and inputs in [-1, 1], three seeds; the parity tests
        // allow 1e-5 of the value plus 1e-6 of the sum of the terms' magnitudes between torch and FastLoss.
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, 5, 5, 1, 1, padding, padding);
        var layer = new Conv2dGeometry(outChannels, height, width, inChannels, 5, 5, 1, 1, padding, padding);
        for (int seed = 0; seed < 3; seed++)
        {
            float[] image = TestData.Uniform(g.InputSize, 40 + seed), weight = Scaled(TestData.Uniform(g.WeightSize, 50 + seed), inChannels * 25);
            var forward = new WinogradConvolution(g);
            forward.TransformWeight(weight, flippedTranspose: false);
            float[] output = new float[g.OutputSize];
            Run(forward, image, output, default, accumulate: false);
            (double[] expected, double[] magnitude) = new DirectConvolution(g, image, weight).Forward(new float[outChannels]);
            AssertWithinParity(expected, magnitude, output, ParityBound(g), $"output, seed {seed}");

            float[] layerWeight = Scaled(TestData.Uniform(layer.WeightSize, 60 + seed), outChannels * 25);
            float[] outputGrad = TestData.Uniform(layer.OutputSize, 70 + seed);
            var inputGrad = new WinogradConvolution(layer.Transposed);
            inputGrad.TransformWeight(layerWeight, flippedTranspose: true);
            float[] result = new float[layer.InputSize];
            Run(inputGrad, outputGrad, result, default, accumulate: true);
            (double[] expectedGrad, double[] gradMagnitude) = new DirectConvolution(layer, new float[layer.InputSize], layerWeight).InputGrad(outputGrad);
            AssertWithinParity(expectedGrad, gradMagnitude, result, ParityBound(layer.Transposed), $"input gradient, seed {seed}");
        }
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
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    public void Kernels_and_strides_it_cannot_compute_are_refused_with_the_reason(int kernel, int stride)
    {
        int channels = 2 * WinogradConvolution.SliverWidth;
        AssertRefused(new Conv2dGeometry(channels, 8, 8, channels, kernel, kernel, stride, stride, 2, 2));
    }

    [Fact]
    public void Channel_counts_that_are_not_whole_vectors_or_slivers_are_refused_with_the_reason()
    {
        // The transforms take Lanes input channels at a time and the products SliverWidth output channels (16 and
        // 32 with Vector512, 8 and 16 with Vector256, 4 and 8 with Vector128, 1 and 4 on scalars).
        int lanes = WinogradConvolution.Lanes, sliver = WinogradConvolution.SliverWidth;
        AssertRefused(new Conv2dGeometry(2 * lanes, 8, 8, (2 * sliver) - 2, 5, 5, 1, 1, 2, 2));
        if (lanes > 1)
        {
            AssertRefused(new Conv2dGeometry(lanes + (lanes / 2), 8, 8, sliver, 5, 5, 1, 1, 2, 2));
        }

        Assert.True(WinogradConvolution.CanCompute(new Conv2dGeometry(lanes, 8, 8, sliver, 5, 5, 1, 1, 2, 2)));
    }

    private static void AssertRefused(in Conv2dGeometry g)
    {
        Assert.False(WinogradConvolution.CanCompute(g), $"{g}");
        Assert.False(WinogradConvolution.Prefers(g), $"{g}");
        Conv2dGeometry copy = g;
        var error = Assert.Throws<ArgumentException>(() => new WinogradConvolution(copy));
        Assert.Contains(
            $"a 5 x 5 kernel, input channels a multiple of {WinogradConvolution.Lanes}, output channels a multiple of {WinogradConvolution.SliverWidth}",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_seed_cnn_uses_it_for_conv2_and_conv3_and_their_input_gradients_at_every_width()
    {
        var conv2 = new Conv2dGeometry(32, 16, 16, 32, 5, 5, 1, 1, 2, 2);
        var conv3 = new Conv2dGeometry(32, 8, 8, 64, 5, 5, 1, 1, 2, 2);
        foreach (Conv2dGeometry g in new[] { conv2, conv3, conv2.Transposed, conv3.Transposed })
        {
            Assert.True(WinogradConvolution.CanCompute(g), $"{g}");
            Assert.True(WinogradConvolution.Prefers(g), $"{g}");
        }

        // conv1's three input channels are too few (and not a whole vector but on scalars); the 3 output channels
        // of its input gradient are not a whole sliver.
        var conv1 = new Conv2dGeometry(3, 32, 32, 32, 5, 5, 1, 1, 2, 2);
        Assert.False(WinogradConvolution.Prefers(conv1));
        Assert.False(WinogradConvolution.Prefers(conv1.Transposed));
    }

    [Fact]
    public void A_weight_of_the_wrong_size_is_rejected()
    {
        var winograd = new WinogradConvolution(new Conv2dGeometry(16, 4, 4, 32, 5, 5, 1, 1, 2, 2));
        var error = Assert.Throws<ArgumentException>(() => winograd.TransformWeight(new float[100], flippedTranspose: false));
        Assert.Contains("the weight has 100 values, expected 12800", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs one image with a scratch that starts as NaN.</summary>
    internal static void Run(WinogradConvolution winograd, float[] image, float[] output, ReadOnlySpan<float> bias, bool accumulate)
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

    private static float[] Scaled(float[] values, int fanIn)
    {
        float scale = 1f / MathF.Sqrt(fanIn);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= scale;
        }

        return values;
    }

    /// <summary>
    /// Parity's tolerance wherever Conv2d uses the class, and wherever the products are fused. Without FMA each
    /// product of the 36 sums rounds twice: outputs smaller than a tile, which Conv2d leaves to tap rows
    /// (<see cref="WinogradConvolution.Prefers"/>), are held to twice the tolerance.
    /// </summary>
    private static double ParityBound(in Conv2dGeometry g) =>
        HardwareFma.IsFused || WinogradConvolution.Prefers(g) ? 1 : 2;

    private static void AssertWithinParity(double[] expected, double[] magnitude, float[] actual, double bound, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = bound * ((1e-5 * Math.Abs(expected[i])) + (1e-6 * magnitude[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"{what}[{i}] = {actual[i]:R}, exact {expected[i]:R}, parity tolerance {tolerance:E2}");
        }
    }

}

/// <summary>
/// One image on an idle pool is shared out to its threads (blocks of tiles, then rows of tiles): the result is the
/// same, bit for bit, on 1, 2 and 3 threads, forward and input gradient alike.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed unsafe class WinogradConvolutionSplitTests
{
    [Theory]
    [MemberData(nameof(WinogradConvolutionTests.Geometries), MemberType = typeof(WinogradConvolutionTests))]
    public void Every_thread_count_gives_the_same_bits(int inChannels, int height, int width, int outChannels, int padding)
    {
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, 5, 5, 1, 1, padding, padding);
        float[] image = TestData.Uniform(g.InputSize, 80), weight = TestData.Uniform(g.WeightSize, 81), bias = TestData.Uniform(outChannels, 82);
        float[] initial = TestData.Uniform(g.OutputSize, 83);
        var winograd = new WinogradConvolution(g);
        winograd.TransformWeight(weight, flippedTranspose: false);
        float[]? first = null, firstAccumulated = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var scope = new ThreadCountScope(threads);
            float[] output = new float[g.OutputSize], accumulated = (float[])initial.Clone();
            WinogradConvolutionTests.Run(winograd, image, output, bias, accumulate: false);
            WinogradConvolutionTests.Run(winograd, image, accumulated, default, accumulate: true);
            first ??= output;
            firstAccumulated ??= accumulated;
            Assert.Equal(first, output);
            Assert.Equal(firstAccumulated, accumulated);
        }

        (double[] expected, double[] magnitude) = new DirectConvolution(g, image, weight).Forward(bias);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(first![i] - expected[i]) <= 1e-6 * magnitude[i], $"output[{i}] = {first[i]:R}, expected {expected[i]:R}");
        }
    }
}
