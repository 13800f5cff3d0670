using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>
/// MaxPool2d against a float64 reference of torch's rule and float64 central differences (h = 1e-6, on inputs
/// whose values are distinct so the winner does not change within h). Pooling copies values, so outputs are
/// compared exactly; gradients are sums of at most kernel^2 upstream values (tolerance 1e-6).
/// </summary>
public sealed class MaxPool2dTests
{
    // Forward passes that are never differentiated leave nodes on this thread's tape; start each test clean.
    public MaxPool2dTests() => FastLoss.Autograd.GradMode.ReleaseThreadResults();

    public static TheoryData<int, int, int, int, int, int?> Cases => new()
    {
        // batch, channels, height, width, kernel, stride
        { 2, 3, 8, 8, 2, null },
        { 1, 2, 7, 5, 2, null },
        { 2, 2, 7, 9, 3, 2 },
        { 1, 3, 6, 6, 3, 1 },
        { 3, 1, 5, 11, 4, 3 },
        { 1, 1, 1, 1, 1, null },
        { 2, 5, 33, 17, 2, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_gradient_match_float64_and_finite_differences(int batch, int channels, int height, int width, int kernel, int? stride)
    {
        int s = stride ?? kernel;
        var layer = new MaxPool2d(kernel, stride);
        Tensor x = TestData.Tensor(21, batch, channels, height, width);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);
        int oh = ((height - kernel) / s) + 1, ow = ((width - kernel) / s) + 1;
        Assert.Equal([batch, channels, oh, ow], y.Shape.ToArray());

        double[] xd = TestData.ToDouble(x.Span);
        (double[] expected, _) = Reference.MaxPool2d(xd, batch * channels, height, width, kernel, s);
        TestData.AssertClose(expected, y.Span, 0, 0, "output");

        double[] r = TestData.ToDouble(TestData.Uniform(y.Length, 22));
        new WeightedSumLoss(Array.ConvertAll(r, v => (float)v)).Forward(y).Backward();
        double[] fd = TestData.CentralDifferences(
            xd, () => Reference.WeightedSum(Reference.MaxPool2d(xd, batch * channels, height, width, kernel, s).Output, r));
        TestData.AssertClose(fd, x.Grad!.Span, 1e-6, 1e-6, "input gradient vs differences");
    }

    [Fact]
    public void Ties_send_the_gradient_to_the_first_maximum_in_row_major_order()
    {
        // One 2x2 window of equal values, then a window whose maximum appears at (0, 1) and (1, 0).
        Tensor x = Tensor.FromValues([1f, 1f, 0f, 3f, 1f, 1f, 3f, 2f], 1, 1, 2, 4);
        x.RequiresGrad = true;
        Tensor y = new MaxPool2d(2).Forward(x);
        Assert.Equal([1f, 3f], y.ToArray());
        new WeightedSumLoss([10f, 20f]).Forward(y).Backward();
        Assert.Equal([10f, 0f, 0f, 20f, 0f, 0f, 0f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void Overlapping_windows_add_into_a_shared_maximum()
    {
        // 3x3 windows with stride 1 over 4x4: the 9 at (1, 1) wins all four windows.
        float[] values = [0f, 1f, 2f, 0f, 1f, 9f, 1f, 0f, 2f, 1f, 0f, 3f, 0f, 0f, 4f, 1f];
        Tensor x = Tensor.FromValues(values, 1, 1, 4, 4);
        x.RequiresGrad = true;
        Tensor y = new MaxPool2d(3, 1).Forward(x);
        Assert.Equal([9f, 9f, 9f, 9f], y.ToArray());
        new WeightedSumLoss([1f, 2f, 3f, 4f]).Forward(y).Backward();
        float[] expected = new float[16];
        expected[5] = 10f;
        Assert.Equal(expected, x.Grad!.ToArray());
    }

    [Fact]
    public void NaN_is_the_maximum_and_the_last_NaN_gets_the_gradient()
    {
        float nan = float.NaN;
        Tensor x = Tensor.FromValues([5f, nan, nan, 7f, 1f, 2f, 3f, 4f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity], 1, 3, 2, 2);
        x.RequiresGrad = true;
        Tensor y = new MaxPool2d(2).Forward(x);
        Assert.True(float.IsNaN(y.Span[0]));
        Assert.Equal(4f, y.Span[1]);
        Assert.Equal(float.NegativeInfinity, y.Span[2]);
        new WeightedSumLoss([1f, 1f, 1f]).Forward(y).Backward();
        // torch updates on val > max || isnan(val): the NaN at index 2 replaces the one at 1; all -inf keep the first.
        Assert.Equal([0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f, 1f, 0f, 0f, 0f], x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(2, null, 37)]
    [InlineData(3, 2, 37)]
    [InlineData(2, 1, 37)]
    [InlineData(2, null, 29)]
    [InlineData(2, null, 8)]
    [InlineData(2, null, 13)]
    public void Ties_NaN_and_infinities_follow_torchs_rule_on_wide_rows(int kernel, int? stride, int width)
    {
        // The 2 x 2 stride-2 case runs eight windows at a time, then four, then a scalar tail: rows of 37 take
        // 16 + 2, of 29 take 8 + 4 + 2, of 8 take 4, of 13 take 4 + 2.
        const int planes = 3, height = 6;
        float[] values = TestData.Uniform(planes * height * width, 81);
        var random = new Random(82);
        for (int i = 0; i < values.Length; i++)
        {
            switch (random.Next(8))
            {
                case 0: values[i] = float.NaN; break;
                case 1: values[i] = float.NegativeInfinity; break;
                case 2: values[i] = 0.5f; break; // many ties
                case 3: values[i] = float.PositiveInfinity; break;
            }
        }

        Tensor x = Tensor.FromValues(values, 1, planes, height, width);
        x.RequiresGrad = true;
        int s = stride ?? kernel;
        Tensor y = new MaxPool2d(kernel, stride).Forward(x);
        (double[] expected, int[] winners) = Reference.MaxPool2d(TestData.ToDouble(values), planes, height, width, kernel, s);
        Assert.Equal(expected.Length, y.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                double.IsNaN(expected[i]) ? float.IsNaN(y.Span[i]) : expected[i] == y.Span[i],
                $"output {i}: expected {expected[i]}, got {y.Span[i]}");
        }

        float[] r = TestData.Uniform(y.Length, 83);
        new WeightedSumLoss(r).Forward(y).Backward();
        var grad = new double[values.Length];
        for (int i = 0; i < winners.Length; i++)
        {
            grad[winners[i]] += r[i];
        }

        TestData.AssertClose(grad, x.Grad!.Span, 1e-6, 1e-6, "input gradient");
    }

    [Fact]
    public void Unbatched_input_and_bad_input()
    {
        Tensor y = new MaxPool2d(2).Forward(TestData.Tensor(1, 3, 4, 6));
        Assert.Equal([3, 2, 3], y.Shape.ToArray());
        var small = Assert.Throws<ArgumentException>(() => new MaxPool2d(2).Forward(Tensor.Zeros(1, 3, 1, 1)));
        Assert.StartsWith("Given input size: (3x1x1). Calculated output size: (3x0x0). Output size is too small", small.Message, StringComparison.Ordinal);
        var rank = Assert.Throws<ArgumentException>(() => new MaxPool2d(2).Forward(Tensor.Zeros(4, 4)));
        Assert.StartsWith("non-empty 3D or 4D (batch mode) tensor expected for input", rank.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(0));
    }
}
