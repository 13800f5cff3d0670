using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>Inputs include exact 0s and 1s: the logs clamp at -100 and the gradient's denominator at 1e-12.</summary>
[Collection(TorchOracle.Name)]
public sealed class BCELossParityTests
{
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new BceCase(weighted: false), shape, reduction);

    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void With_weight_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new BceCase(weighted: true), shape, reduction);
}
