using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>CrossEntropyLoss against torch.nn.functional.cross_entropy; tolerances in <see cref="CrossEntropyCase"/>.</summary>
[Collection(TorchOracle.Name)]
public sealed class CrossEntropyLossParityTests
{
    [Theory]
    [MemberData(nameof(ClassificationParityCases.IndexTargetCases), MemberType = typeof(ClassificationParityCases))]
    public void Index_targets_match_torch(int[] shape, bool weighted, IgnoreMode ignore, Reduction reduction, float labelSmoothing)
    {
        var data = new ParityData(ClassificationParity.Seed(shape, weighted ? 1 : 0, (int)ignore, (int)reduction, (int)(labelSmoothing * 10)));
        var inputs = ClassificationInputs.WithIndices(data, shape, weighted, ignore, labelSmoothing, largeLogits: false);
        ClassificationParity.Check(new CrossEntropyCase(inputs), reduction, data);
    }

    [Theory]
    [MemberData(nameof(ClassificationParityCases.ProbabilityTargetCases), MemberType = typeof(ClassificationParityCases))]
    public void Probability_targets_match_torch(int[] shape, bool weighted, Reduction reduction, float labelSmoothing)
    {
        var data = new ParityData(ClassificationParity.Seed(shape, weighted ? 1 : 0, 7, (int)reduction, (int)(labelSmoothing * 10)));
        var inputs = ClassificationInputs.WithProbabilities(data, shape, weighted, labelSmoothing, largeLogits: false);
        ClassificationParity.Check(new CrossEntropyCase(inputs), reduction, data);
    }

    /// <summary>Every third logit is +1e4 or -1e4 (exp overflows float32): values and gradients stay finite and match; some index targets are ignored.</summary>
    [Theory]
    [MemberData(nameof(ClassificationParityCases.LargeLogitCases), MemberType = typeof(ClassificationParityCases))]
    public void Index_targets_with_logits_of_1e4_match_torch(int[] shape, bool weighted, Reduction reduction, float labelSmoothing)
    {
        var data = new ParityData(ClassificationParity.Seed(shape, weighted ? 1 : 0, 11, (int)reduction, (int)(labelSmoothing * 10)));
        var inputs = ClassificationInputs.WithIndices(data, shape, weighted, IgnoreMode.Hit, labelSmoothing, largeLogits: true);
        ClassificationParity.Check(new CrossEntropyCase(inputs), reduction, data);
    }

    [Theory]
    [MemberData(nameof(ClassificationParityCases.LargeLogitCases), MemberType = typeof(ClassificationParityCases))]
    public void Probability_targets_with_logits_of_1e4_match_torch(int[] shape, bool weighted, Reduction reduction, float labelSmoothing)
    {
        var data = new ParityData(ClassificationParity.Seed(shape, weighted ? 1 : 0, 13, (int)reduction, (int)(labelSmoothing * 10)));
        var inputs = ClassificationInputs.WithProbabilities(data, shape, weighted, labelSmoothing, largeLogits: true);
        ClassificationParity.Check(new CrossEntropyCase(inputs), reduction, data);
    }

    /// <summary>A probability target that requires grad gets torch's gradient (-w (1 - eps) log_softmax(x), reduced), the input's too.</summary>
    [Theory]
    [MemberData(nameof(ClassificationParityCases.LargeLogitCases), MemberType = typeof(ClassificationParityCases))]
    public void Probability_targets_that_require_grad_get_torchs_gradient(int[] shape, bool weighted, Reduction reduction, float labelSmoothing)
    {
        var data = new ParityData(ClassificationParity.Seed(shape, weighted ? 1 : 0, 17, (int)reduction, (int)(labelSmoothing * 10)));
        var inputs = ClassificationInputs.WithProbabilities(data, shape, weighted, labelSmoothing, largeLogits: false);
        float[] upstream = data.Uniform(Math.Max(1, inputs.Layout.Entries), -2f, 2f);

        using var scope = TorchSharp.torch.NewDisposeScope();
        TorchSharp.torch.Tensor x = TorchConvert.ToTorch(inputs.Logits, shape, requiresGrad: true);
        TorchSharp.torch.Tensor y = TorchConvert.ToTorch(inputs.Probabilities!, shape, requiresGrad: true);
        TorchSharp.torch.Tensor? w = inputs.Weight is null ? null : TorchConvert.ToTorch(inputs.Weight, [inputs.Weight.Length]);
        TorchSharp.torch.Tensor value = TorchSharp.torch.nn.functional.cross_entropy(x, y, w, inputs.IgnoreIndex, ElementwiseParity.ToTorch(reduction), labelSmoothing);
        value.backward([reduction == Reduction.None ? TorchConvert.ToTorch(upstream, inputs.EntryShape) : TorchSharp.torch.tensor(upstream[0])]);

        var input = Tensor.FromValues(inputs.Logits, shape);
        var target = Tensor.FromValues(inputs.Probabilities!, shape);
        input.RequiresGrad = true;
        target.RequiresGrad = true;
        var loss = new FastLoss.NN.CrossEntropyLoss(inputs.Weight is null ? null : Tensor.FromValues(inputs.Weight), reduction: reduction, labelSmoothing: labelSmoothing);
        Tensor mine = loss.Forward(input, target);
        mine.Backward(reduction == Reduction.None ? (inputs.EntryShape.Length == 0 ? Tensor.Scalar(upstream[0]) : Tensor.FromValues(upstream, inputs.EntryShape)) : Tensor.Scalar(upstream[0]));
        Closeness.AssertClose(TorchConvert.ToArray(y.grad!), target.Grad!.Span, 1e-5, 1e-6, "target gradient");
        Closeness.AssertClose(TorchConvert.ToArray(x.grad!), input.Grad!.Span, 1e-5, 1e-6, "input gradient");
    }
}
