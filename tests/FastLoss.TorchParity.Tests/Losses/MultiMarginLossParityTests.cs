using System.Globalization;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// MultiMarginLoss against libtorch: p 1 and 2, margins, with and without a class weight, (N, C) and unbatched (C)
/// inputs, every reduction, scores placed exactly at the margin (where torch's kernel counts nothing); values and the
/// input's gradient through the module; torch's errors. Tolerances: 1e-5 relative, 1e-6 absolute times (1 + |scores|).
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class MultiMarginLossParityTests
{
    public static TheoryData<int[], Reduction, float, float, bool> Cases()
    {
        var cases = new TheoryData<int[], Reduction, float, float, bool>();
        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            foreach (int[] shape in (int[][])[[1, 1], [4, 5], [7, 17], [33, 10], [6]])
            {
                cases.Add(shape, reduction, 1f, 1f, false);
            }

            cases.Add([16, 8], reduction, 2f, 1f, false);
            cases.Add([16, 8], reduction, 1f, 0.5f, true);
            cases.Add([9, 12], reduction, 2f, 2f, true);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int[] shape, Reduction reduction, float p, float margin, bool weighted)
    {
        var data = new ParityData(ElementwiseParity.Seed(shape, reduction) + (int)p + (weighted ? 5 : 0));
        int n = TensorShape.ElementCount(shape);
        int classes = shape[^1];
        int rows = shape.Length == 1 ? 1 : shape[0];
        float[] input = data.Uniform(n, -2f, 2f);
        long[] target = data.ClassIndices(rows, classes);
        for (int r = 0; r < rows && classes > 1; r += 3)
        {
            int other = (int)((target[r] + 1) % classes);
            input[(r * classes) + other] = input[(r * classes) + target[r]] - margin; // exactly at the margin
        }

        float[]? weight = weighted ? data.Uniform(classes, 0f, 2f) : null;
        int[] outputShape = reduction == Reduction.None && shape.Length == 2 ? [rows] : [];
        float[] upstream = data.Uniform(outputShape.Length == 0 ? 1 : rows, -2f, 2f);
        float[] value, grad;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(input, shape, requiresGrad: true);
            torch.Tensor y = shape.Length == 1 ? torch.tensor(target[0]) : torch.tensor(target);
            torch.Tensor? w = weight is null ? null : TorchConvert.ToTorch(weight, [classes]);
            torch.Tensor loss = torch.nn.functional.multi_margin_loss(x, y, (int)p, margin, w, ElementwiseParity.ToTorch(reduction));
            loss.backward([outputShape.Length > 0 ? TorchConvert.ToTorch(upstream, outputShape) : torch.tensor(upstream[0])]);
            value = TorchConvert.ToArray(loss);
            grad = TorchConvert.ToArray(x.grad!);
        }

        var fastInput = Tensor.FromValues(input, shape);
        fastInput.RequiresGrad = true;
        IndexTensor fastTarget = shape.Length == 1 ? IndexTensor.Scalar(target[0]) : IndexTensor.FromValues(target, rows);
        var module = new MultiMarginLoss(p, margin, weight is null ? null : Tensor.FromValues(weight, classes), reduction);
        Tensor result = module.Forward(fastInput, fastTarget);
        Assert.Equal(outputShape, result.Shape.ToArray());
        string what = string.Create(CultureInfo.InvariantCulture, $"MultiMarginLoss(p={p}, margin={margin}, weight={weighted}) {reduction} {TensorShape.Format(shape)}");
        Closeness.AssertClose(value, result.Span, 1e-5, 1e-5 * (1 + margin), what + " value");
        result.Backward(outputShape.Length > 0 ? Tensor.FromValues(upstream, outputShape) : Tensor.Scalar(upstream[0]));
        float[] scale = new float[n];
        Array.Fill(scale, 4f * (1f + margin) * (1f + upstream.Select(Math.Abs).Max()));
        Closeness.AssertClose(grad, fastInput.Grad!.Span, 1e-5, 1e-6, what + " input gradient", scale);
    }

    [Fact]
    public void Errors_are_torchs()
    {
        Assert.Equal("only p == 1 and p == 2 supported", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiMarginLoss(p: 3f)).Message.Split(" (Parameter")[0]);
        var loss = new MultiMarginLoss();
        var input = Tensor.FromValues(new float[6], 2, 3);
        Assert.StartsWith("target out of range", Assert.ThrowsAny<ArgumentException>(() => loss.Forward(input, IndexTensor.FromValues([0L, 3L], 2))).Message, StringComparison.Ordinal);
        Assert.StartsWith("target out of range", Assert.ThrowsAny<ArgumentException>(() => loss.Forward(input, IndexTensor.FromValues([0L, -1L], 2))).Message, StringComparison.Ordinal);
        Assert.StartsWith("inconsistent target size, expected 2 but got [3]", Assert.ThrowsAny<ArgumentException>(() => loss.Forward(input, IndexTensor.FromValues([0L, 1L, 2L], 3))).Message, StringComparison.Ordinal);
        Assert.StartsWith("inconsistent weight size, expected 3 but got [2]", Assert.ThrowsAny<ArgumentException>(() => new MultiMarginLoss(weight: Tensor.FromValues([1f, 1f], 2)).Forward(input, IndexTensor.FromValues([0L, 1L], 2))).Message, StringComparison.Ordinal);
        Assert.StartsWith("Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 3, 1]", Assert.ThrowsAny<ArgumentException>(() => loss.Forward(Tensor.FromValues(new float[6], 2, 3, 1), IndexTensor.FromValues([0L, 1L], 2))).Message, StringComparison.Ordinal);
        Assert.Null(input.Grad);
    }
}
