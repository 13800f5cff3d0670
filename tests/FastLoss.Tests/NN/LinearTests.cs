using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>
/// Linear forward and gradients against a float64 reference and float64 central differences (h = 1e-6).
/// Tolerance 2e-5 absolute + 2e-5 relative (sums of at most 33 products of values in [-1, 1]).
/// </summary>
public sealed class LinearTests
{
    // Forward passes that are never differentiated leave nodes on this thread's tape; start each test clean.
    public LinearTests() => FastLoss.Autograd.GradMode.ReleaseThreadResults();

    public static TheoryData<int, int, int, string> Cases => new()
    {
        // rows, in, out, bias: "vector", "scalar" or "none"
        { 3, 5, 4, "vector" },
        { 1, 1, 1, "vector" },
        { 5, 17, 16, "scalar" },
        { 2, 33, 7, "none" },
        { 9, 16, 33, "scalar" },
        { 4, 7, 1, "scalar" },
        { 17, 3, 2, "vector" },
        { 1, 1024, 64, "vector" }, // the seed CNN's first Linear on one image: dot products
        { 7, 300, 9, "none" },
        { 8, 300, 9, "vector" }, // from eight rows on, the packed product
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_all_gradients_match_float64_and_finite_differences(int rows, int inFeatures, int outFeatures, string bias)
    {
        var layer = new Linear(inFeatures, outFeatures, bias: bias != "none");
        TestData.Uniform(layer.Weight.Length, 31).CopyTo(layer.Weight.Span);
        if (bias == "scalar")
        {
            layer.SetScalarBias(0.375f);
        }
        else if (bias == "vector")
        {
            TestData.Uniform(outFeatures, 32).CopyTo(layer.Bias!.Span);
        }

        Tensor x = TestData.Tensor(33, rows, inFeatures);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(x);
        Assert.Equal([rows, outFeatures], y.Shape.ToArray());

        double[] xd = TestData.ToDouble(x.Span), wd = TestData.ToDouble(layer.Weight.Span);
        double[]? bd = layer.Bias is null ? null : TestData.ToDouble(layer.Bias.Span);
        TestData.AssertClose(Reference.Linear(xd, rows, inFeatures, wd, bd, outFeatures), y.Span, 2e-5, 2e-5, "output");

        double[] r = TestData.ToDouble(TestData.Uniform(y.Length, 34));
        new WeightedSumLoss(Array.ConvertAll(r, v => (float)v)).Forward(y).Backward();
        double Loss() => Reference.WeightedSum(Reference.Linear(xd, rows, inFeatures, wd, bd, outFeatures), r);
        TestData.AssertClose(TestData.CentralDifferences(xd, Loss), x.Grad!.Span, 2e-5, 2e-5, "input gradient vs differences");
        TestData.AssertClose(TestData.CentralDifferences(wd, Loss), layer.Weight.Grad!.Span, 2e-5, 2e-5, "weight gradient vs differences");

        // The same gradients from their float64 formulas: dx = r W, dW = r^T x.
        var dx = new double[xd.Length];
        var dw = new double[wd.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                for (int f = 0; f < inFeatures; f++)
                {
                    dx[(i * inFeatures) + f] += r[(i * outFeatures) + o] * wd[(o * inFeatures) + f];
                    dw[(o * inFeatures) + f] += r[(i * outFeatures) + o] * xd[(i * inFeatures) + f];
                }
            }
        }

        TestData.AssertClose(dx, x.Grad!.Span, 2e-5, 2e-5, "input gradient");
        TestData.AssertClose(dw, layer.Weight.Grad!.Span, 2e-5, 2e-5, "weight gradient");
        if (bd is not null)
        {
            double[] fdb = TestData.CentralDifferences(bd, Loss);
            TestData.AssertClose(fdb, layer.Bias!.Grad!.Span, 2e-5, 2e-5, "bias gradient vs differences");
            if (bias == "scalar")
            {
                // The shared bias collects the sum over all units and samples.
                double total = 0;
                foreach (double v in r)
                {
                    total += v;
                }

                TestData.AssertClose([total], layer.Bias!.Grad!.Span, 2e-5, 2e-5, "shared bias gradient");
            }
        }
    }

    [Fact]
    public void Leading_dimensions_are_kept_and_one_dimensional_input_works()
    {
        var layer = new Linear(5, 3);
        Tensor x = TestData.Tensor(41, 2, 4, 5);
        Tensor y = layer.Forward(x);
        Assert.Equal([2, 4, 3], y.Shape.ToArray());
        double[] expected = Reference.Linear(
            TestData.ToDouble(x.Span), 8, 5, TestData.ToDouble(layer.Weight.Span), TestData.ToDouble(layer.Bias!.Span), 3);
        TestData.AssertClose(expected, y.Span, 2e-5, 2e-5, "output");

        var vectorLayer = new Linear(5, 3);
        Tensor v = vectorLayer.Forward(TestData.Tensor(42, 5));
        Assert.Equal([3], v.Shape.ToArray());

        // No input features: the output is the bias, as torch's linear over an empty dimension.
        var empty = new Linear(0, 3);
        Tensor e = empty.Forward(Tensor.Zeros(4, 0));
        Assert.Equal([4, 3], e.Shape.ToArray());
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal(empty.Bias!.ToArray(), e.Span.Slice(r * 3, 3).ToArray());
        }
    }

    [Fact]
    public void Parameters_and_their_names_follow_torch()
    {
        var layer = new Linear(4, 3);
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal([3, 4], layer.Weight.Shape.ToArray());
        Assert.True(layer.Weight.RequiresGrad && layer.Bias!.RequiresGrad);
        layer.SetScalarBias(5.5f);
        Assert.Equal(0, layer.Bias!.Rank);
        Assert.Equal(5.5f, layer.Bias.Item());
        Assert.Same(layer.Bias, layer.Parameters()[1]);
        Assert.Single(new Linear(4, 3, bias: false).Parameters());
    }

    [Fact]
    public void Bad_shapes_are_rejected_with_torch_messages()
    {
        var layer = new Linear(1024, 64);
        var mismatch = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(8, 1000)));
        Assert.StartsWith("mat1 and mat2 shapes cannot be multiplied (8x1000 and 1024x64)", mismatch.Message, StringComparison.Ordinal);
        var bias = Assert.Throws<ArgumentException>(() => layer.SetBias(Tensor.Zeros(3)));
        Assert.StartsWith("Linear: a bias must have shape [64] or [] (one shared value), got [3].", bias.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(-1, 3));
    }
}
