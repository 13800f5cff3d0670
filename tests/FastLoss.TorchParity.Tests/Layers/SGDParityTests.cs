using TorchSharp;
using static FastLoss.TorchParity.Tests.TorchConvert;

namespace FastLoss.TorchParity.Tests.Layers;

/// <summary>
/// SGD against torch.optim.SGD over four steps with changing gradients, 1e-6 relative + 1e-7 absolute.
/// Maximize together with weight decay is left to the float64 test of the formula: torch 2.10 negates the
/// gradient before adding the decay, TorchSharp 0.107 after.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class SGDParityTests
{
    public static TheoryData<double, double, double, bool, bool> Variants => new()
    {
        // momentum, dampening, weight decay, nesterov, maximize
        { 0, 0, 0, false, false },
        { 0.9, 0, 0, false, false },
        { 0.9, 0.5, 0, false, false },
        { 0.9, 0, 0, true, false },
        { 0, 0, 0.1, false, false },
        { 0.8, 0.3, 0.05, false, false },
        { 0.7, 0, 0.2, true, false },
        { 0, 0, 0, false, true },
        { 0.9, 0.1, 0, false, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Matches_torch(double momentum, double dampening, double weightDecay, bool nesterov, bool maximize)
    {
        const double lr = 0.05;
        Tensor p = LayerParityTests.Uniform(new Generator(1), 37);
        using var scope = torch.NewDisposeScope();
        var tp = new TorchSharp.Modules.Parameter(ToTorch(p));
        var optimizer = new FastLoss.Optim.SGD([p], (float)lr, (float)momentum, (float)dampening, (float)weightDecay, nesterov, maximize);
        var torchOptimizer = torch.optim.SGD([tp], lr, momentum, dampening, weightDecay, nesterov, maximize);
        for (int step = 0; step < 4; step++)
        {
            Tensor grad = LayerParityTests.Uniform(new Generator(100 + step), 37);
            p.Grad = grad.Clone();
            tp.grad = ToTorch(grad);
            optimizer.Step();
            torchOptimizer.step();
            Closeness.AssertClose(ToArray(tp), p.Span, 1e-6, 1e-7, $"after step {step + 1}");
        }
    }
}
