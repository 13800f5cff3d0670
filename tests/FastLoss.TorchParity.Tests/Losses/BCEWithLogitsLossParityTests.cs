using FastLoss.TorchParity.Tests.Cases;

namespace FastLoss.TorchParity.Tests.Losses;

[Collection(TorchOracle.Name)]
public sealed class BCEWithLogitsLossParityTests
{
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new BceWithLogitsCase(weighted: false, posWeighted: false), shape, reduction);

    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void With_weight_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new BceWithLogitsCase(weighted: true, posWeighted: false), shape, reduction);

    /// <summary>pos_weight has one entry per position of the last dimension and broadcasts over the rest.</summary>
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void With_pos_weight_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new BceWithLogitsCase(weighted: false, posWeighted: true), shape, reduction);

    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void With_weight_and_pos_weight_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new BceWithLogitsCase(weighted: true, posWeighted: true), shape, reduction);

    /// <summary>Half the logits are +1000 or -1000, where exp overflows: values and gradients stay finite and match.</summary>
    [Theory]
    [MemberData(nameof(ParityCases.ShapesAndReductions), MemberType = typeof(ParityCases))]
    public void Logits_of_magnitude_1000_match_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new BceWithLogitsCase(weighted: true, posWeighted: true, logitMagnitude: 1000f), shape, reduction);
}
