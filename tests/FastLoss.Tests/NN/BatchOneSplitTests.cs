using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>
/// The layers that share a single image's work out to an idle pool (max pooling by plane, a few-row Linear by
/// output unit, a convolution by columns of its product) give the same bits on 1, 2 and 3 threads, and those bits
/// are the float64 reference's within the layer's own tolerance. Shapes are the seed CNN's batch-1 conv1, pool1 and
/// Linear, plus uneven ones whose parts differ in size and end inside a vector.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class BatchOneSplitTests
{
    public BatchOneSplitTests() => GradMode.ReleaseThreadResults();

    [Theory]
    [InlineData(1, 32, 32, 32, 2, 2)] // pool1 of the seed CNN on one image
    [InlineData(1, 19, 48, 37, 2, 2)] // an odd plane count and a width that ends in the scalar tail
    [InlineData(1, 12, 61, 45, 3, 2)] // overlapping windows
    [InlineData(3, 7, 30, 34, 2, 2)]
    public void Max_pooling_shared_out_gives_the_same_bits_on_every_thread_count(int batch, int channels, int height, int width, int kernel, int stride)
    {
        Tensor x = TestData.Tensor(41, batch, channels, height, width);
        (double[] expected, int[] winners) = Reference.MaxPool2d(TestData.ToDouble(x.Span), batch * channels, height, width, kernel, stride);
        float[] r = TestData.Uniform(expected.Length, 42);
        var layer = new MaxPool2d(kernel, stride);
        float[][] first = SameBitsOnEveryThreadCount(() =>
        {
            Tensor input = TestData.Tensor(41, batch, channels, height, width);
            input.RequiresGrad = true;
            Tensor y = layer.Forward(input);
            new WeightedSumLoss(r).Forward(y).Backward();
            return [y.ToArray(), input.Grad!.ToArray()];
        });
        float[] firstOutput = first[0], firstGrad = first[1];

        TestData.AssertClose(expected, firstOutput, 0, 0, "output");
        var expectedGrad = new double[x.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            expectedGrad[winners[i]] += r[i];
        }

        // Exact where windows do not overlap; where they do, an element's float32 sum of up to four gradients rounds.
        TestData.AssertClose(expectedGrad, firstGrad, 1e-6, 1e-6, "input gradient routed to each window's winner");
    }

    [Theory]
    [InlineData(1, 1024, 64, true)] // the seed CNN's first Linear on one image
    [InlineData(3, 700, 97, false)] // 97 units split unevenly, no bias
    [InlineData(7, 2048, 33, true)]
    public void A_few_row_linear_split_by_unit_gives_the_same_bits_on_every_thread_count(int rows, int inFeatures, int outFeatures, bool bias)
    {
        Tensor x = TestData.Tensor(43, rows, inFeatures);
        float[] weight = TestData.Uniform(inFeatures * outFeatures, 44), biasValues = TestData.Uniform(outFeatures, 45);
        var layer = new Linear(inFeatures, outFeatures, bias: bias);
        weight.CopyTo(layer.Weight.Span);
        if (bias)
        {
            biasValues.CopyTo(layer.Bias!.Span);
        }

        float[] first = SameBitsOnEveryThreadCount(() => Infer(layer, x))[0];

        double[] expected = Reference.Linear(
            TestData.ToDouble(x.Span), rows, inFeatures, TestData.ToDouble(weight), bias ? TestData.ToDouble(biasValues) : null, outFeatures);

        // Sums of up to 2048 products of values in [-1, 1]: float32 rounding grows with the length.
        TestData.AssertClose(expected, first, 2e-4, 2e-5, "output");
    }

    [Theory]
    [InlineData(3, 32, 32, 32, 5, 2)] // conv1 of the seed CNN on one image
    [InlineData(3, 8, 17, 23, 3, 1)] // an odd number of output rows
    [InlineData(5, 16, 20, 20, 5, 0)] // no padding
    public void A_one_image_convolution_shared_out_gives_the_same_bits_on_every_thread_count(
        int inChannels, int outChannels, int height, int width, int kernel, int padding)
    {
        var g = new FastLoss.Kernels.Conv2dGeometry(inChannels, height, width, outChannels, kernel, kernel, 1, 1, padding, padding);
        Tensor x = TestData.Tensor(46, 1, inChannels, height, width);
        float[] weight = TestData.Uniform(g.WeightSize, 47), bias = TestData.Uniform(outChannels, 48);
        var layer = new Conv2d(inChannels, outChannels, kernel, padding: padding);
        weight.CopyTo(layer.Weight.Span);
        bias.CopyTo(layer.Bias!.Span);
        float[] first = SameBitsOnEveryThreadCount(() => Infer(layer, x))[0];

        (double[] expected, double[] magnitude) = new DirectConvolution(g, x.ToArray(), weight).Forward(bias);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(first[i] - expected[i]) <= 1e-5 * magnitude[i], $"output[{i}] = {first[i]:R}, expected {expected[i]:R}");
        }
    }

    [Fact]
    public void The_seed_cnn_on_one_image_gives_the_same_logits_on_every_thread_count()
    {
        // As a service runs it: one model, called again and again while the thread count changes between calls.
        Sequential model = Cifar10Cnn.Create(new Generator(12));
        Tensor image = TestData.Tensor(49, 1, 3, 32, 32);
        float[] logits = SameBitsOnEveryThreadCount(() => Infer(model, image))[0];
        Assert.Equal(Cifar10Cnn.Classes, logits.Length);
        Assert.All(logits, value => Assert.True(float.IsFinite(value), $"logit {value}"));
    }

    private static float[][] Infer(Module module, Tensor input)
    {
        using (GradMode.NoGrad())
        {
            return [module.Forward(input).ToArray()];
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> on 1, 2, 3 and again 1 thread (the same module each time, as a user calls it)
    /// and asserts that every result is the first run's, bit for bit; returns those results.
    /// </summary>
    private static float[][] SameBitsOnEveryThreadCount(Func<float[][]> call)
    {
        float[][]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 1 })
        {
            using var scope = new ThreadCountScope(threads);
            float[][] results = call();
            first ??= results;
            Assert.Equal(first.Length, results.Length);
            for (int i = 0; i < results.Length; i++)
            {
                Assert.Equal(first[i], results[i]);
            }
        }

        return first!;
    }
}
