using BenchmarkDotNet.Attributes;
using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Threading;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// What the autograd bookkeeping costs per node: a chain of <see cref="Nodes"/> ReLUs on one element, forward with
/// gradients recorded and backward, against the same forward under NoGrad (which records nothing). Their difference
/// over the node count bounds the cost of recording a node and running its backward step; the forward recorded but
/// not backpropagated (its graphs released beyond 16) over NoGrad's is the cost of recording alone. TorchSharp's same
/// chain (forward and backward through autograd) is the baseline.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("GraphRecording")]
public class GraphRecordingBenchmarks
{
    private Sequential _chain = null!;
    private Tensor _input = null!;
    private torch.Tensor _torchInput = null!;

    [Params(64)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        ComputePool.SetThreadCount(1);
        var layers = new FastLoss.NN.Module[Nodes];
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i] = new ReLU();
        }

        _chain = new Sequential(layers);
        _input = Tensor.FromValues([0.5f]);
        _input.RequiresGrad = true;
        _torchInput = torch.tensor(0.5f, requires_grad: true);
    }

    [GlobalCleanup]
    public void Cleanup() => _torchInput.Dispose();

    [Benchmark(Baseline = true, Description = "TorchSharp forward + backward")]
    public float TorchChain()
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor x = _torchInput;
        for (int i = 0; i < Nodes; i++)
        {
            x = torch.nn.functional.relu(x);
        }

        x.backward();
        return _torchInput.grad!.ReadCpuSingle(0);
    }

    [Benchmark(Description = "FastLoss forward + backward (recorded)")]
    public float RecordedChain()
    {
        _input.ClearGrad();
        _chain.Forward(_input).Sum().Backward();
        return _input.Grad!.Values[0];
    }

    [Benchmark(Description = "FastLoss forward recorded, not backpropagated")]
    public float RecordedForward() => _chain.Forward(_input).Values[0];

    [Benchmark(Description = "FastLoss forward under NoGrad")]
    public float UnrecordedChain()
    {
        using (GradMode.NoGrad())
        {
            return _chain.Forward(_input).Values[0];
        }
    }
}
