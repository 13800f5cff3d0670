using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>NLLLoss against aten::nll_loss_nd (see <see cref="TorchClassification"/>); tolerances in <see cref="NllCase"/>.</summary>
[Collection(TorchOracle.Name)]
public sealed class NLLLossParityTests
{
    [Theory]
    [MemberData(nameof(ClassificationParityCases.NllCases), MemberType = typeof(ClassificationParityCases))]
    public void Matches_torch(int[] shape, bool weighted, IgnoreMode ignore, Reduction reduction)
    {
        var data = new ParityData(ClassificationParity.Seed(shape, weighted ? 1 : 0, (int)ignore, (int)reduction, 29));
        var inputs = ClassificationInputs.WithIndices(data, shape, weighted, ignore, labelSmoothing: 0f, largeLogits: false);
        ClassificationParity.Check(new NllCase(inputs), reduction, data);
    }

    /// <summary>
    /// The TorchScript oracle is the op TorchSharp's own nll_loss calls, where that wrapper applies (batched input,
    /// default ignore_index): bit-identical results.
    /// </summary>
    [Theory]
    [InlineData(Reduction.None)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.Mean)]
    public void The_script_oracle_agrees_with_TorchSharps_nll_loss(Reduction reduction)
    {
        using var scope = torch.NewDisposeScope();
        var data = new ParityData(5);
        var inputs = ClassificationInputs.WithIndices(data, [6, 5], weighted: true, IgnoreMode.Default, labelSmoothing: 0f, largeLogits: false);
        torch.Tensor x = TorchConvert.ToTorch(inputs.Logits, inputs.Shape);
        torch.Tensor target = TorchClassification.Target(inputs);
        torch.Tensor weight = TorchConvert.ToTorch(inputs.Weight!, [5]);

        float[] script = TorchConvert.ToArray(TorchClassification.NllLoss(x, target, weight, ClassificationInputs.DefaultIgnoreIndex, reduction));
        float[] wrapper = TorchConvert.ToArray(torch.nn.functional.nll_loss(x, target, weight, ElementwiseParity.ToTorch(reduction)));

        Assert.Equal(wrapper, script);
    }
}
