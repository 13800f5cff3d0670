using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// One training step of the first seed's CIFAR-10 CNN on a batch of <see cref="Batch"/> 32x32 images:
/// ZeroGrad, forward, CrossEntropyLoss against fixed labels, backward, SGD(lr = 0.01) step. TorchSharp runs the
/// same network and step; both use <see cref="Threads"/> threads.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("SeedCnn")]
public class SeedCnnStepBenchmarks
{
    private SeedCnnPair _pair = null!;

    [Params(1, 64, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _pair = new SeedCnnPair(Batch, Threads);

    [GlobalCleanup]
    public void Cleanup() => _pair.Dispose();

    [Benchmark(Baseline = true, Description = "TorchSharp step")]
    public float TorchStep()
    {
        using var scope = torch.NewDisposeScope();
        _pair.TorchOptimizer.zero_grad();
        torch.Tensor loss = torch.nn.functional.cross_entropy(_pair.TorchModel.forward(_pair.TorchImages), _pair.TorchTargets);
        loss.backward();
        _pair.TorchOptimizer.step();
        return loss.item<float>();
    }

    [Benchmark(Description = "FastLoss step")]
    public float FastLossStep()
    {
        Tensor loss = _pair.Loss.Forward(_pair.Model.Forward(_pair.Images), _pair.Labels);
        _pair.Optimizer.ZeroGrad();
        loss.Backward();
        _pair.Optimizer.Step();
        return loss.Item();
    }
}
