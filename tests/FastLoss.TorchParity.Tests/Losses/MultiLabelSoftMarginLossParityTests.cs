using System.Globalization;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// MultiLabelSoftMarginLoss against libtorch: (C), (N, C) and (N, d, C) inputs (the class dimension is the last),
/// with and without a class weight, every reduction, logits up to ±30 (saturated sigmoids) and hard and soft targets;
/// the value, the input's gradient and the target's. Tolerances: 1e-5 relative, 1e-6 absolute times (1 + |x|).
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class MultiLabelSoftMarginLossParityTests
{
    public static TheoryData<int[], Reduction, bool> Cases()
    {
        var cases = new TheoryData<int[], Reduction, bool>();
        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            foreach (int[] shape in (int[][])[[10], [1, 1], [4, 5], [7, 17], [33, 10], [2, 3, 7], [0, 4]])
            {
                cases.Add(shape, reduction, false);
                cases.Add(shape, reduction, true);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int[] shape, Reduction reduction, bool weighted)
    {
        var data = new ParityData(ElementwiseParity.Seed(shape, reduction) + (weighted ? 1 : 0));
        int n = TensorShape.ElementCount(shape);
        int classes = shape[^1];
        var (input, target) = data.Logits(n);
        for (int i = 0; i < n; i += 9)
        {
            input[i] = i % 18 == 0 ? 30f : -30f;
        }

        float[]? weight = weighted ? data.Uniform(classes, 0f, 2f) : null;
        int[] outputShape = reduction == Reduction.None ? shape[..^1] : [];
        float[] upstream = data.Uniform(reduction == Reduction.None ? TensorShape.ElementCount(outputShape) : 1, -2f, 2f);

        float[] value, inputGrad, targetGrad;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(input, shape, requiresGrad: true);
            torch.Tensor y = TorchConvert.ToTorch(target, shape, requiresGrad: true);
            torch.Tensor? w = weight is null ? null : TorchConvert.ToTorch(weight, [classes]);
            torch.Tensor loss = torch.nn.functional.multilabel_soft_margin_loss(x, y, w, ElementwiseParity.ToTorch(reduction));
            loss.backward([outputShape.Length > 0 ? TorchConvert.ToTorch(upstream, outputShape) : torch.tensor(upstream[0])]);
            value = TorchConvert.ToArray(loss);
            inputGrad = TorchConvert.ToArray(x.grad!);
            targetGrad = TorchConvert.ToArray(y.grad!);
        }

        var fastInput = Tensor.FromValues(input, shape);
        var fastTarget = Tensor.FromValues(target, shape);
        fastInput.RequiresGrad = fastTarget.RequiresGrad = true;
        var module = new MultiLabelSoftMarginLoss(weight is null ? null : Tensor.FromValues(weight, classes), reduction);
        Tensor result = module.Forward(fastInput, fastTarget);
        Assert.Equal(outputShape, result.Shape.ToArray());
        string what = string.Create(CultureInfo.InvariantCulture, $"MultiLabelSoftMarginLoss weight={weighted} {reduction} {TensorShape.Format(shape)}");
        Closeness.AssertClose(value, result.Span, 1e-5, 3e-5, what + " value");
        result.Backward(outputShape.Length > 0 ? Tensor.FromValues(upstream, outputShape) : Tensor.Scalar(upstream[0]));
        float[] scale = new float[n];
        for (int i = 0; i < n; i++)
        {
            scale[i] = 1f + Math.Abs(input[i]);
        }

        Closeness.AssertClose(inputGrad, fastInput.Grad!.Span, 1e-5, 1e-6, what + " input gradient", scale);
        Closeness.AssertClose(targetGrad, fastTarget.Grad!.Span, 1e-5, 1e-6, what + " target gradient", scale);
    }
}
