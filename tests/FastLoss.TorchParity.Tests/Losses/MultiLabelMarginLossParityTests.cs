using System.Globalization;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// MultiLabelMarginLoss against libtorch (through TorchSharp's module, which has no functional form): (N, C) and unbatched (C) inputs, every reduction, targets with none, some
/// and all classes, indices after the first -1 (ignored), and scores exactly at the margin; values and the input's
/// gradient through the module, and torch's shape error. Tolerances: 1e-5 relative, 1e-6 absolute times (1 + C).
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class MultiLabelMarginLossParityTests
{
    public static TheoryData<int[], Reduction> Cases()
    {
        var cases = new TheoryData<int[], Reduction>();
        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            foreach (int[] shape in (int[][])[[1, 1], [4, 5], [7, 17], [33, 10], [6], [6, 70]])
            {
                cases.Add(shape, reduction);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int[] shape, Reduction reduction)
    {
        var data = new ParityData(ElementwiseParity.Seed(shape, reduction));
        int n = TensorShape.ElementCount(shape);
        int classes = shape[^1];
        int rows = shape.Length == 1 ? 1 : shape[0];
        float[] input = data.Uniform(n, -2f, 2f);
        long[] target = new long[n];
        var random = new Random(rows * 31 + classes);
        for (int r = 0; r < rows; r++)
        {
            int count = r % 4 == 0 ? 0 : r % 4 == 1 ? classes : random.Next(classes + 1);
            int[] order = Enumerable.Range(0, classes).OrderBy(_ => random.Next()).ToArray();
            for (int k = 0; k < classes; k++)
            {
                target[(r * classes) + k] = k < count ? order[k] : k == count ? -1 : random.Next(classes);
            }

            if (count > 0 && count < classes)
            {
                input[(r * classes) + order[count]] = input[(r * classes) + order[0]] - 1f; // z = 0: counts nothing
            }
        }

        int[] outputShape = reduction == Reduction.None && shape.Length == 2 ? [rows] : [];
        float[] upstream = data.Uniform(outputShape.Length == 0 ? 1 : rows, -2f, 2f);
        float[] value, grad;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(input, shape, requiresGrad: true);
            torch.Tensor y = torch.tensor(target, shape.Select(s => (long)s).ToArray());
            torch.Tensor loss = torch.nn.MultiLabelMarginLoss(ElementwiseParity.ToTorch(reduction)).forward(x, y);
            loss.backward([outputShape.Length > 0 ? TorchConvert.ToTorch(upstream, outputShape) : torch.tensor(upstream[0])]);
            value = TorchConvert.ToArray(loss);
            grad = TorchConvert.ToArray(x.grad!);
        }

        var fastInput = Tensor.FromValues(input, shape);
        fastInput.RequiresGrad = true;
        Tensor result = new MultiLabelMarginLoss(reduction).Forward(fastInput, IndexTensor.FromValues(target, shape));
        Assert.Equal(outputShape, result.Shape.ToArray());
        string what = string.Create(CultureInfo.InvariantCulture, $"MultiLabelMarginLoss {reduction} {TensorShape.Format(shape)}");
        Closeness.AssertClose(value, result.Span, 1e-5, 1e-5 * (1 + classes), what + " value");
        result.Backward(outputShape.Length > 0 ? Tensor.FromValues(upstream, outputShape) : Tensor.Scalar(upstream[0]));
        float[] scale = new float[n];
        Array.Fill(scale, (1f + classes) * (1f + upstream.Select(Math.Abs).Max()));
        Closeness.AssertClose(grad, fastInput.Grad!.Span, 1e-5, 1e-6, what + " input gradient", scale);
    }

    [Fact]
    public void A_target_of_another_shape_is_refused_in_torchs_words()
    {
        string torchMessage;
        using (var scope = torch.NewDisposeScope())
        {
            torchMessage = Assert.ThrowsAny<Exception>(() => torch.nn.MultiLabelMarginLoss().forward(torch.zeros(2, 3), torch.zeros([2, 2], torch.int64))).Message.Split('\n')[0];
        }

        var exception = Assert.ThrowsAny<ArgumentException>(() => new MultiLabelMarginLoss().Forward(Tensor.FromValues(new float[6], 2, 3), IndexTensor.FromValues(new long[4], 2, 2)));
        Assert.StartsWith(torchMessage, exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// torch checks every index of the target, the ones after a row's first -1 too: below -1 or from C up is refused
    /// in torch's words, and nothing is written.
    /// </summary>
    [Theory]
    [InlineData(new long[] { 1, -5, 0, 0 })]
    [InlineData(new long[] { 1, -1, 7, 0 })]
    [InlineData(new long[] { 1, -1, -3, 0 })]
    [InlineData(new long[] { -2, 1, -1, 0 })]
    public void A_target_index_out_of_range_anywhere_in_the_row_is_refused_in_torchs_words(long[] target)
    {
        string torchMessage;
        using (var scope = torch.NewDisposeScope())
        {
            torchMessage = Assert.ThrowsAny<Exception>(() => torch.nn.MultiLabelMarginLoss().forward(torch.zeros(4), torch.tensor(target))).Message.Split('\n')[0];
        }

        var input = Tensor.FromValues([0.1f, 0.2f, 0.4f, 0.8f], 4);
        input.RequiresGrad = true;
        var exception = Assert.ThrowsAny<ArgumentException>(() => new MultiLabelMarginLoss().Forward(input, IndexTensor.FromValues(target, 4)));
        Assert.StartsWith(torchMessage, exception.Message, StringComparison.Ordinal);
        Assert.Contains(target.First(t => t < -1 || t >= 4).ToString(CultureInfo.InvariantCulture), exception.Message, StringComparison.Ordinal);
        Assert.Null(input.Grad);

        float[] gradient = [9f, 9f, 9f, 9f];
        Assert.ThrowsAny<ArgumentException>(() => FastLoss.Functional.Margin.MultiLabelMargin.ForwardBackward([0.1f, 0.2f, 0.4f, 0.8f], target, 4, gradient));
        Assert.Equal([9f, 9f, 9f, 9f], gradient);
    }
}
