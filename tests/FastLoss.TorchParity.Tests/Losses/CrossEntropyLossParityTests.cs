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
}
