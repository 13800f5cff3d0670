using BenchmarkDotNet.Attributes;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Threading;
using TorchSharp;
using static TorchSharp.torch.nn;

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
    private Sequential _model = null!;
    private SGD _optimizer = null!;
    private CrossEntropyLoss _loss = null!;
    private Tensor _images = null!;
    private IndexTensor _labels = null!;
    private Module<torch.Tensor, torch.Tensor> _torchModel = null!;
    private torch.optim.Optimizer _torchOptimizer = null!;
    private torch.Tensor _torchImages = null!, _torchTargets = null!;

    [Params(1, 64, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        ComputePool.SetThreadCount(Threads);
        var generator = new Generator(1);
        _model = new Sequential(
            new Conv2d(3, 32, 5, padding: 2, generator: generator), new MaxPool2d(2),
            new Conv2d(32, 32, 5, padding: 2, generator: generator), new MaxPool2d(2),
            new Conv2d(32, 64, 5, padding: 2, generator: generator), new MaxPool2d(2),
            new Flatten(), new Linear(1024, 64, generator: generator), new Linear(64, 10, generator: generator));
        _optimizer = new SGD(_model.Parameters(), lr: 0.01f);
        _loss = new CrossEntropyLoss();
        _images = Init.Uniform(Tensor.Zeros(Batch, 3, 32, 32), 0, 1, generator);
        var labels = new long[Batch];
        for (int i = 0; i < Batch; i++)
        {
            labels[i] = generator.NextInt(10);
        }

        _labels = IndexTensor.FromValues(labels, Batch);

        _torchModel = Sequential(
            Conv2d(3, 32, 5, padding: 2), MaxPool2d(2),
            Conv2d(32, 32, 5, padding: 2), MaxPool2d(2),
            Conv2d(32, 64, 5, padding: 2), MaxPool2d(2),
            Flatten(), Linear(1024, 64), Linear(64, 10));
        _torchOptimizer = torch.optim.SGD(_torchModel.parameters(), 0.01);
        _torchImages = torch.tensor(_images.ToArray(), [Batch, 3, 32, 32]);
        _torchTargets = torch.tensor(labels, torch.int64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchImages.Dispose();
        _torchTargets.Dispose();
        _torchModel.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp step")]
    public float TorchStep()
    {
        using var scope = torch.NewDisposeScope();
        _torchOptimizer.zero_grad();
        torch.Tensor loss = torch.nn.functional.cross_entropy(_torchModel.forward(_torchImages), _torchTargets);
        loss.backward();
        _torchOptimizer.step();
        return loss.item<float>();
    }

    [Benchmark(Description = "FastLoss step")]
    public float FastLossStep()
    {
        Tensor loss = _loss.Forward(_model.Forward(_images), _labels);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        return loss.Item();
    }
}
