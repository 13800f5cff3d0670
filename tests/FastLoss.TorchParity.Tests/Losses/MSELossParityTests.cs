using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests.Losses;

[Collection(TorchOracle.Name)]
public sealed class MSELossParityTests
{
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new MseCase(), shape, reduction);
}
