using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests.Losses;

[Collection(TorchOracle.Name)]
public sealed class L1LossParityTests
{
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new L1Case(), shape, reduction);
}
