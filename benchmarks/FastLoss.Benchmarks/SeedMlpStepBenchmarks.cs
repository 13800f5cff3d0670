using BenchmarkDotNet.Attributes;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Threading;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// One training step of the second seed's demo1 as it is written: a batch of 100 x 4, Linear(4,3), Linear(3,2),
/// Linear(2,1) with ONE Sigmoid applied after each, a shared 0-dim bias per layer, MSELoss, SGD(lr = 0.1):
/// ZeroGrad, forward, backward, step. TorchSharp runs the same program on the same weights; both on one thread.
/// Nearly all of TorchSharp's time is per-op overhead; FastLoss's is the arithmetic.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("SeedMlp")]
public class SeedMlpStepBenchmarks
{
    private Demo1 _model = null!;
    private SGD _optimizer = null!;
    private MSELoss _loss = null!;
    private Tensor _x = null!, _y = null!;
    private torch.Tensor[] _torchParameters = null!;
    private torch.optim.Optimizer _torchOptimizer = null!;
    private torch.Tensor _torchX = null!, _torchY = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        ComputePool.SetThreadCount(1);
        var generator = new Generator(666);
        _model = new Demo1(generator);
        _optimizer = new SGD(_model.Parameters(), lr: 0.1f);
        _loss = new MSELoss();
        _x = Init.Normal(Tensor.Zeros(100, 4), 0, 1, generator);
        _y = Init.Uniform(Tensor.Zeros(100, 1), 0, 1, generator);

        _torchParameters = _model.Parameters()
            .Select(p => torch.tensor(p.ToArray(), [.. p.Shape.ToArray().Select(d => (long)d)], requires_grad: true))
            .ToArray();
        _torchOptimizer = torch.optim.SGD(_torchParameters.Select(p => new TorchSharp.Modules.Parameter(p)).ToArray(), 0.1);
        _torchParameters = _torchOptimizer.parameters().ToArray();
        _torchX = torch.tensor(_x.ToArray(), [100, 4]);
        _torchY = torch.tensor(_y.ToArray(), [100, 1]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchX.Dispose();
        _torchY.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp step")]
    public float TorchStep()
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor h = _torchX;
        for (int layer = 0; layer < 3; layer++)
        {
            h = torch.sigmoid(torch.nn.functional.linear(h, _torchParameters[2 * layer], null) + _torchParameters[(2 * layer) + 1]);
        }

        torch.Tensor loss = torch.nn.functional.mse_loss(h, _torchY);
        _torchOptimizer.zero_grad();
        loss.backward();
        _torchOptimizer.step();
        return loss.item<float>();
    }

    [Benchmark(Description = "FastLoss step")]
    public float FastLossStep()
    {
        Tensor loss = _loss.Forward(_model.Forward(_x), _y);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        return loss.Item();
    }

    /// <summary>demo1's network: one Sigmoid instance applied after each of the three Linear layers.</summary>
    private sealed class Demo1 : FastLoss.NN.Module
    {
        private readonly Linear _linear1, _linear2, _linear3;
        private readonly Sigmoid _activation;

        public Demo1(Generator generator)
        {
            _linear1 = Register("linear1", new Linear(4, 3, generator: generator));
            _linear2 = Register("linear2", new Linear(3, 2, generator: generator));
            _linear3 = Register("linear3", new Linear(2, 1, generator: generator));
            _activation = Register("activation", new Sigmoid());
            foreach (Linear layer in (Linear[])[_linear1, _linear2, _linear3])
            {
                Init.XavierNormal(layer.Weight, generator: generator);
                layer.SetScalarBias(5.5f);
            }
        }

        protected override Tensor ForwardCore(Tensor input) =>
            _activation.Forward(_linear3.Forward(_activation.Forward(_linear2.Forward(_activation.Forward(_linear1.Forward(input))))));
    }
}
