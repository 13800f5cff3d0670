using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// One elementwise loss, mean reduction, over <see cref="Size"/> elements: TorchSharp (libtorch's kernels
/// driven through autograd, the way a TorchSharp training step runs) against each FastLoss entry point and
/// a plain scalar C# loop doing the fused work. The fused kernels read input and target and write the
/// gradient: 3 * 4 * Size bytes, compared with <see cref="MemoryBandwidthBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public abstract class ElementwiseLossBenchmarks
{
    private torch.Tensor _torchInput = null!;
    private torch.Tensor _torchTarget = null!;
    private Tensor _moduleInput = null!;
    private Tensor _moduleTarget = null!;

    [Params(64, 4096, 262144, 1048576, 4194304)]
    public int Size { get; set; }

    protected float[] Input { get; private set; } = [];

    protected float[] Target { get; private set; } = [];

    protected float[] InputGrad { get; private set; } = [];

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        var random = new Random(20260101 + Size);
        (Input, Target) = MakeData(random, Size);
        InputGrad = new float[Size];

        _torchInput = torch.tensor(Input, requires_grad: true);
        _torchTarget = torch.tensor(Target);
        _moduleInput = Tensor.Wrap(Input, 0, Size);
        _moduleInput.RequiresGrad = true;
        _moduleTarget = Tensor.Wrap(Target, 0, Size);
        CreateModule();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchInput.Dispose();
        _torchTarget.Dispose();
    }

    /// <summary>
    /// A TorchSharp step's loss part: forward, backward into input.grad (reset to None first, as
    /// optimizer.zero_grad() does), and the loss value read back.
    /// </summary>
    [Benchmark(Baseline = true, Description = "TorchSharp forward+backward")]
    public float TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _torchInput.grad = null;
        torch.Tensor loss = TorchLoss(_torchInput, _torchTarget);
        loss.backward();
        return loss.item<float>();
    }

    [Benchmark(Description = "TorchSharp forward")]
    public float TorchForward()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return TorchLoss(_torchInput, _torchTarget).item<float>();
    }

    [Benchmark(Description = "FastLoss Forward")]
    public float FastLossForward() => Forward();

    [Benchmark(Description = "FastLoss Backward")]
    public void FastLossBackward() => Backward();

    [Benchmark(Description = "FastLoss ForwardBackward")]
    public float FastLossForwardBackward() => ForwardBackward();

    /// <summary>The module path: Forward records on the tape, loss.Backward() adds into input.Grad.</summary>
    [Benchmark(Description = "FastLoss module")]
    public float FastLossModule()
    {
        Tensor loss = ModuleForward(_moduleInput, _moduleTarget);
        loss.Backward();
        return loss.Item();
    }

    [Benchmark(Description = "scalar C# loop")]
    public float ScalarLoop() => ScalarForwardBackward(Input, Target, InputGrad);

    protected abstract (float[] Input, float[] Target) MakeData(Random random, int size);

    protected abstract torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target);

    protected abstract float Forward();

    protected abstract void Backward();

    protected abstract float ForwardBackward();

    protected abstract void CreateModule();

    protected abstract Tensor ModuleForward(Tensor input, Tensor target);

    /// <summary>The fused mean loss and its gradient, one element at a time, with no vectors.</summary>
    protected abstract float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad);

    protected static float[] Uniform(Random random, int size, float low, float high)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
        {
            values[i] = low + ((high - low) * random.NextSingle());
        }

        return values;
    }
}
