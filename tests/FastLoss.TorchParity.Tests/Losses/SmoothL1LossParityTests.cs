using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests.Losses;

[Collection(TorchOracle.Name)]
public sealed class SmoothL1LossParityTests
{
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Beta_1_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new SmoothL1Case(1f), shape, reduction);

    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Beta_0_5_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new SmoothL1Case(0.5f), shape, reduction);

    /// <summary>beta = 0 is L1Loss in PyTorch, including the zero gradient where input equals target.</summary>
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Beta_0_matches_torch_l1_loss(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new SmoothL1Case(0f), shape, reduction);
}
