using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>libtorch loads (on Debian 12 only after eng/patch-libtorchsharp.sh) and runs as the references assume.</summary>
[Collection(TorchOracle.Name)]
public sealed class TorchLoadTests
{
    [Fact]
    public void Cross_entropy_of_the_seed_logits_is_1_1019429()
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor logits = torch.tensor(new[] { 0.1f, 0.2f, 0.3f }).reshape(1, 3);
        torch.Tensor target = torch.tensor(new[] { 1L });

        float loss = torch.nn.functional.cross_entropy(logits, target).item<float>();

        // Tolerance: 1 float32 ulp at 1.1 (the value PyTorch prints is 1.1019429).
        Assert.Equal(1.1019429f, loss, 1.2e-7f);
    }

    [Fact]
    public void References_are_computed_on_one_thread() => Assert.Equal(1, torch.get_num_threads());
}
