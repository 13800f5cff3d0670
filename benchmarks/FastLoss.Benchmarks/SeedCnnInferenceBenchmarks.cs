using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// Inference with the first seed's CIFAR-10 CNN: the forward pass alone on a batch of <see cref="Batch"/> images,
/// without recording gradients (FastLoss's Tape.NoGrad, torch's no_grad), both on <see cref="Threads"/> threads.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("SeedCnnInference")]
public class SeedCnnInferenceBenchmarks
{
    private SeedCnnPair _pair = null!;

    [Params(1, 64)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _pair = new SeedCnnPair(Batch, Threads);

    [GlobalCleanup]
    public void Cleanup() => _pair.Dispose();

    [Benchmark(Baseline = true, Description = "TorchSharp inference")]
    public float TorchInference()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return _pair.TorchModel.forward(_pair.TorchImages).ReadCpuSingle(0);
    }

    [Benchmark(Description = "FastLoss inference")]
    public float FastLossInference()
    {
        using (FastLoss.Autograd.GradMode.NoGrad())
        {
            return _pair.Model.Forward(_pair.Images).Span[0];
        }
    }
}
