using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>KLDivLoss, PoissonNLLLoss, SoftMarginLoss and HingeEmbeddingLoss against libtorch, every option and reduction.</summary>
[Collection(TorchOracle.Name)]
public sealed class PointwiseLossParityTests
{
    public static TheoryData<int[], Reduction> ShapesAndReductions => ParityCases.ShapesAndReductions;

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void KLDiv_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new KLDivCase(logTarget: false), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void KLDiv_with_log_target_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new KLDivCase(logTarget: true), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void PoissonNll_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new PoissonNllCase(logInput: true, full: false), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void PoissonNll_full_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new PoissonNllCase(logInput: true, full: true), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void PoissonNll_on_rates_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new PoissonNllCase(logInput: false, full: false), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void PoissonNll_on_rates_full_with_eps_0_5_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new PoissonNllCase(logInput: false, full: true, eps: 0.5f), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void SoftMargin_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new SoftMarginCase(), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void HingeEmbedding_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new HingeEmbeddingCase(1f), shape, reduction);

    [Theory]
    [MemberData(nameof(ShapesAndReductions))]
    public void HingeEmbedding_with_margin_2_5_matches_torch(int[] shape, Reduction reduction) =>
        ElementwiseParity.Check(new HingeEmbeddingCase(2.5f), shape, reduction);

    /// <summary>Where eps matters (rates near 0), torch's functional binding in TorchSharp is of no use: see PoissonNllCase.</summary>
    [Fact]
    public void PoissonNll_functional_agrees_with_the_aten_definition_where_eps_does_not_matter()
    {
        var loss = new PoissonNllCase(logInput: false, full: true);
        LossInputs inputs = loss.MakeInputs(new ParityData(5), [64]);
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs.Input[i] = Math.Max(inputs.Input[i], 0.25f);
        }

        using var scope = torch.NewDisposeScope();
        torch.Tensor x = TorchConvert.ToTorch(inputs.Input, inputs.Shape);
        torch.Tensor y = TorchConvert.ToTorch(inputs.Target, inputs.Shape);
        float[] functional = TorchConvert.ToArray(torch.nn.functional.poisson_nll_loss(x, y, log_input: false, full: true, reduction: torch.nn.Reduction.None));
        float[] aten = TorchConvert.ToArray(loss.Torch(x, y, inputs, torch.nn.Reduction.None));
        Closeness.AssertClose(functional, aten, 1e-6, 1e-6, "poisson_nll_loss against its ATen definition");
    }

    /// <summary>batchmean: torch's sum divided by the first dimension, forward and both gradients.</summary>
    [Theory]
    [InlineData(false, new[] { 4, 5 })]
    [InlineData(true, new[] { 3, 2, 7 })]
    [InlineData(false, new[] { 9 })]
    public void KLDiv_batchmean_matches_torch(bool logTarget, int[] shape)
    {
        var loss = new KLDivCase(logTarget);
        LossInputs inputs = loss.MakeInputs(new ParityData(shape.Length + 40), shape);
        const float Upstream = 1.5f;
        float expected;
        float[] torchInputGrad, torchTargetGrad;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(inputs.Input, shape, requiresGrad: true);
            torch.Tensor y = TorchConvert.ToTorch(inputs.Target, shape, requiresGrad: true);
            // Python's F.kl_div(reduction='batchmean'): the sum, divided by input.size(0).
            torch.Tensor value = torch.nn.functional.kl_div(x, y, reduction: torch.nn.Reduction.Sum, log_target: logTarget) / shape[0];
            value.backward([torch.tensor(Upstream)]);
            expected = value.item<float>();
            torchInputGrad = TorchConvert.ToArray(x.grad!);
            torchTargetGrad = TorchConvert.ToArray(y.grad!);
        }

        var input = Tensor.FromValues(inputs.Input, shape);
        var target = Tensor.FromValues(inputs.Target, shape);
        input.RequiresGrad = true;
        target.RequiresGrad = true;
        Tensor result = new NN.KLDivLoss(Reduction.BatchMean, logTarget).Forward(input, target);
        Closeness.AssertClose(expected, result.Item(), 1e-5, 1e-6, "batchmean value");
        result.Backward(Tensor.Scalar(Upstream));
        Closeness.AssertClose(torchInputGrad, input.Grad!.Span, 1e-5, 1e-6, "batchmean input gradient");
        Closeness.AssertClose(torchTargetGrad, target.Grad!.Span, 1e-5, 1e-6 * 10, "batchmean target gradient");
    }
}
