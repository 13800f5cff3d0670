using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>
/// Conv2d forward and gradients against a float64 reference and float64 central differences (h = 1e-6).
/// Tolerance: 2e-5 absolute + 2e-5 relative for float32 results (sums of at most 75 products of values in [-1, 1]);
/// the float64 analytic gradients agree with the differences to 1e-6.
/// </summary>
public sealed class Conv2dTests
{
    // Forward passes that are never differentiated leave nodes on this thread's tape; start each test clean.
    public Conv2dTests() => FastLoss.Autograd.GradMode.ReleaseThreadResults();

    public static TheoryData<int, int, int, int, int, int, int, int, bool> Cases => new()
    {
        // batch, in, height, width, out, kernel, stride, padding, bias
        { 2, 3, 7, 6, 4, 3, 1, 0, true },
        { 2, 2, 9, 7, 3, 3, 2, 1, true },
        { 1, 3, 8, 8, 2, 5, 1, 2, false },
        { 3, 2, 6, 5, 3, 2, 2, 0, false },
        { 2, 1, 5, 5, 2, 5, 3, 2, true },
        { 1, 3, 5, 5, 2, 1, 1, 0, true },
        { 5, 2, 4, 3, 17, 3, 1, 1, true },

        // Eight input channels: the input gradient is the transposed convolution rather than im2col and col2im.
        { 2, 8, 6, 7, 5, 3, 1, 1, true },
        { 1, 8, 5, 9, 33, 3, 1, 2, false },

        // 5 x 5 kernels with channels in whole vectors: Winograd for the forward pass (16 in, 32 out) or for the
        // input gradient (32 in, 16 out) where the channels are whole vectors and slivers of this machine.
        { 1, 16, 3, 2, 32, 5, 1, 2, true },
        { 1, 32, 2, 3, 16, 5, 1, 2, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_all_gradients_match_float64_and_finite_differences(
        int batch, int inChannels, int height, int width, int outChannels, int kernel, int stride, int padding, bool bias)
    {
        var layer = new Conv2d(inChannels, outChannels, kernel, stride, padding, bias);
        TestData.Uniform(layer.Weight.Length, 11).CopyTo(layer.Weight.Span);
        if (layer.Bias is not null)
        {
            TestData.Uniform(layer.Bias.Length, 12).CopyTo(layer.Bias.Span);
        }

        Tensor x = TestData.Tensor(13, batch, inChannels, height, width);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);

        double[] xd = TestData.ToDouble(x.Span), wd = TestData.ToDouble(layer.Weight.Span);
        double[]? bd = layer.Bias is null ? null : TestData.ToDouble(layer.Bias.Span);
        double[] expected = Reference.Conv2d(xd, batch, inChannels, height, width, wd, bd, outChannels, kernel, stride, padding, out int oh, out int ow);
        Assert.Equal([batch, outChannels, oh, ow], y.Shape.ToArray());
        TestData.AssertClose(expected, y.Span, 2e-5, 2e-5, "output");

        double[] r = TestData.ToDouble(TestData.Uniform(y.Length, 14));
        var loss = new WeightedSumLoss(Array.ConvertAll(r, v => (float)v));
        loss.Forward(y).Backward();

        (double[] dx, double[] dw, double[] db) = Reference.Conv2dGrads(xd, batch, inChannels, height, width, wd, outChannels, kernel, stride, padding, r);
        double Loss() => Reference.WeightedSum(
            Reference.Conv2d(xd, batch, inChannels, height, width, wd, bd, outChannels, kernel, stride, padding, out _, out _), r);
        double[] fdx = TestData.CentralDifferences(xd, Loss);
        double[] fdw = TestData.CentralDifferences(wd, Loss);
        TestData.AssertClose(fdx, dx, 1e-6, 1e-6, "float64 input gradient vs differences");
        TestData.AssertClose(fdw, dw, 1e-6, 1e-6, "float64 weight gradient vs differences");
        TestData.AssertClose(dx, x.Grad!.Span, 2e-5, 2e-5, "input gradient");
        TestData.AssertClose(fdx, x.Grad!.Span, 2e-5, 2e-5, "input gradient vs differences");
        TestData.AssertClose(dw, layer.Weight.Grad!.Span, 2e-5, 2e-5, "weight gradient");
        TestData.AssertClose(fdw, layer.Weight.Grad!.Span, 2e-5, 2e-5, "weight gradient vs differences");
        if (bd is not null)
        {
            double[] fdb = TestData.CentralDifferences(bd, Loss);
            TestData.AssertClose(fdb, db, 1e-6, 1e-6, "float64 bias gradient vs differences");
            TestData.AssertClose(db, layer.Bias!.Grad!.Span, 2e-5, 2e-5, "bias gradient");
            TestData.AssertClose(fdb, layer.Bias!.Grad!.Span, 2e-5, 2e-5, "bias gradient vs differences");
        }
    }

    [Fact]
    public void Thirty_two_channels_each_way_take_winograd_both_ways_and_match_float64()
    {
        // 32 -> 32 channels, 5 x 5: Winograd for the forward pass and for the input gradient (at every vector
        // width), in three parts of one image. Finite differences over every weight would take minutes here, so
        // they check a sample of weights and inputs.
        // Outputs and input gradients sum 800 products of values in [-1, 1], whose magnitudes add up to about 200;
        // the absolute tolerance is torch parity's 1e-6 of that.
        const int batch = 3, channels = 32, height = 5, width = 6;
        const double Tolerance = 2e-4;
        var layer = new Conv2d(channels, channels, 5, padding: 2);
        TestData.Uniform(layer.Weight.Length, 31).CopyTo(layer.Weight.Span);
        TestData.Uniform(channels, 32).CopyTo(layer.Bias!.Span);
        Tensor x = TestData.Tensor(33, batch, channels, height, width);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);

        double[] xd = TestData.ToDouble(x.Span), wd = TestData.ToDouble(layer.Weight.Span), bd = TestData.ToDouble(layer.Bias.Span);
        double[] expected = Reference.Conv2d(xd, batch, channels, height, width, wd, bd, channels, 5, 1, 2, out _, out _);
        TestData.AssertClose(expected, y.Span, Tolerance, 2e-5, "output");

        double[] r = TestData.ToDouble(TestData.Uniform(y.Length, 34));
        new WeightedSumLoss(Array.ConvertAll(r, v => (float)v)).Forward(y).Backward();
        (double[] dx, double[] dw, double[] db) = Reference.Conv2dGrads(xd, batch, channels, height, width, wd, channels, 5, 1, 2, r);
        TestData.AssertClose(dx, x.Grad!.Span, Tolerance, 2e-5, "input gradient");
        TestData.AssertClose(dw, layer.Weight.Grad!.Span, Tolerance, 2e-5, "weight gradient");
        TestData.AssertClose(db, layer.Bias.Grad!.Span, Tolerance, 2e-5, "bias gradient");

        double Loss() => Reference.WeightedSum(Reference.Conv2d(xd, batch, channels, height, width, wd, bd, channels, 5, 1, 2, out _, out _), r);
        foreach ((double[] values, float[] gradient, string what) in new[]
        {
            (wd, layer.Weight.Grad!.ToArray(), "weight"),
            (xd, x.Grad!.ToArray(), "input"),
        })
        {
            for (int i = 7; i < values.Length; i += values.Length / 23)
            {
                double saved = values[i];
                values[i] = saved + 1e-6;
                double plus = Loss();
                values[i] = saved - 1e-6;
                double minus = Loss();
                values[i] = saved;
                double difference = (plus - minus) / 2e-6;
                Assert.True(Math.Abs(gradient[i] - difference) <= Tolerance + (2e-5 * Math.Abs(difference)), $"{what} gradient[{i}] = {gradient[i]:R}, central difference {difference:R}");
            }
        }
    }

    [Fact]
    public void An_unbatched_image_gives_a_3d_output_and_an_input_without_grad_gets_none()
    {
        var layer = new Conv2d(2, 3, 3, padding: 1);
        Tensor x = TestData.Tensor(3, 2, 5, 4);
        Tensor y = layer.Forward(x);
        Assert.Equal([3, 5, 4], y.Shape.ToArray());
        double[] expected = Reference.Conv2d(
            TestData.ToDouble(x.Span), 1, 2, 5, 4, TestData.ToDouble(layer.Weight.Span), TestData.ToDouble(layer.Bias!.Span), 3, 3, 1, 1, out _, out _);
        TestData.AssertClose(expected, y.Span, 2e-5, 2e-5, "output");

        new WeightedSumLoss(TestData.Uniform(y.Length, 4)).Forward(y).Backward();
        Assert.Null(x.Grad);
        Assert.NotNull(layer.Weight.Grad);
    }

    [Fact]
    public void Gradients_accumulate_over_two_backward_passes_and_a_new_batch_size_replans()
    {
        var layer = new Conv2d(2, 3, 3, padding: 1);
        var loss = new WeightedSumLoss(TestData.Uniform(4 * 3 * 6 * 6, 5));
        Tensor x = TestData.Tensor(6, 4, 2, 6, 6);
        loss.Forward(layer.Forward(x)).Backward();
        float[] once = layer.Weight.Grad!.ToArray();
        loss.Forward(layer.Forward(x)).Backward();
        TestData.AssertClose(Array.ConvertAll(once, v => 2.0 * v), layer.Weight.Grad!.Span, 1e-5, 1e-5, "twice accumulated");

        Tensor small = TestData.Tensor(7, 1, 2, 6, 6);
        Tensor y = layer.Forward(small);
        Assert.Equal([1, 3, 6, 6], y.Shape.ToArray());
        double[] expected = Reference.Conv2d(
            TestData.ToDouble(small.Span), 1, 2, 6, 6, TestData.ToDouble(layer.Weight.Span), TestData.ToDouble(layer.Bias!.Span), 3, 3, 1, 1, out _, out _);
        TestData.AssertClose(expected, y.Span, 2e-5, 2e-5, "output after re-planning");
    }

    [Fact]
    public void A_weight_edited_in_place_between_inference_calls_is_used_by_the_next_call()
    {
        // The forward pass keeps its packed weight while the weight's bits are unchanged; an edit through the
        // span, even of one element, must reach the next call.
        var layer = new Conv2d(8, 9, 3, padding: 1);
        Tensor x = TestData.Tensor(8, 2, 8, 5, 6);
        using (FastLoss.Autograd.GradMode.NoGrad())
        {
            for (int edit = 0; edit < 3; edit++)
            {
                Tensor y = layer.Forward(x);
                double[] expected = Reference.Conv2d(
                    TestData.ToDouble(x.Span), 2, 8, 5, 6, TestData.ToDouble(layer.Weight.Span), TestData.ToDouble(layer.Bias!.Span), 9, 3, 1, 1, out _, out _);
                TestData.AssertClose(expected, y.Span, 2e-5, 2e-5, $"output after {edit} edits");
                layer.Weight.Span[(edit * 37) + 5] += 0.5f;
            }
        }
    }

    [Fact]
    public void Bad_input_is_rejected_with_torch_messages()
    {
        var layer = new Conv2d(3, 32, 5, padding: 2);
        var channels = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(8, 4, 32, 32)));
        Assert.StartsWith(
            "Given groups=1, weight of size [32, 3, 5, 5], expected input[8, 4, 32, 32] to have 3 channels, but got 4 channels instead",
            channels.Message, StringComparison.Ordinal);
        var rank = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(2, 3)));
        Assert.StartsWith("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]", rank.Message, StringComparison.Ordinal);
        var small = Assert.Throws<ArgumentException>(() => new Conv2d(1, 1, 5).Forward(Tensor.Zeros(1, 1, 3, 3)));
        Assert.StartsWith(
            "Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size can't be greater than actual input size",
            small.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(1, 1, 3, stride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(1, 1, 3, padding: -1));
    }
}
