using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests.Losses;

[Collection(TorchOracle.Name)]
public sealed class HuberLossParityTests
{
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Delta_1_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new HuberCase(1f), shape, reduction);

    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Delta_2_5_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new HuberCase(2.5f), shape, reduction);
}
