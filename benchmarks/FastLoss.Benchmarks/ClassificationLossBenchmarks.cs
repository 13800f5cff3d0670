using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// One classification loss, mean reduction, on (N, C) inputs with class-index or class-probability targets:
/// TorchSharp (libtorch's kernels driven through autograd, the way a TorchSharp training step runs) against each
/// FastLoss entry point. The method names are those of <see cref="ElementwiseLossBenchmarks"/>, so the comparison
/// table reads both alike; the fused kernel's traffic is <see cref="ClassificationCase.FusedBytes"/>.
/// </summary>
[MemoryDiagnoser]
public abstract class ClassificationLossBenchmarks
{
    private torch.Tensor _torchInput = null!;
    private torch.Tensor _torchTarget = null!;

    /// <summary>The size and target kind of this run (the derived class's BenchmarkDotNet parameter).</summary>
    protected abstract ClassificationCase Sizing { get; }

    protected ClassLayout Layout { get; private set; }

    /// <summary>The loss's input: logits for cross entropy, log-probabilities for NLL.</summary>
    protected float[] Input { get; private set; } = [];

    protected long[] Indices { get; private set; } = [];

    /// <summary>Class probabilities shaped like the input (probability-target cases only).</summary>
    protected float[] Probabilities { get; private set; } = [];

    protected float[] InputGrad { get; private set; } = [];

    /// <summary>The module path's input: a view over <see cref="Input"/> that requires a gradient.</summary>
    protected Tensor ModuleInput { get; private set; } = null!;

    protected IndexTensor ModuleIndices { get; private set; } = null!;

    protected Tensor ModuleProbabilities { get; private set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        ClassificationCase shape = Sizing;
        Layout = new ClassLayout(shape.Batch, shape.Classes, 1);
        var random = new Random(20260301 + (shape.Batch * 7) + shape.Classes);
        Input = MakeInput(random, shape.Batch, shape.Classes);
        Indices = new long[shape.Batch];
        for (int n = 0; n < Indices.Length; n++)
        {
            Indices[n] = random.Next(shape.Classes);
        }

        Probabilities = shape.ProbabilityTargets ? RandomDistributions(random, shape.Batch, shape.Classes) : [];
        InputGrad = new float[Input.Length];

        _torchInput = torch.tensor(Input, [shape.Batch, shape.Classes], requires_grad: true);
        _torchTarget = shape.ProbabilityTargets
            ? torch.tensor(Probabilities, [shape.Batch, shape.Classes])
            : torch.tensor(Indices, [shape.Batch]);
        ModuleInput = Tensor.Wrap(Input, 0, shape.Batch, shape.Classes);
        ModuleInput.RequiresGrad = true;
        ModuleIndices = IndexTensor.FromValues(Indices, shape.Batch);
        ModuleProbabilities = shape.ProbabilityTargets ? Tensor.Wrap(Probabilities, 0, shape.Batch, shape.Classes) : Tensor.Scalar(0f);
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
        Tensor loss = ModuleForward();
        loss.Backward();
        return loss.Item();
    }

    /// <summary>The loss's input values, laid out (batch, classes).</summary>
    protected abstract float[] MakeInput(Random random, int batch, int classes);

    protected abstract torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target);

    protected abstract float Forward();

    protected abstract void Backward();

    protected abstract float ForwardBackward();

    protected abstract void CreateModule();

    protected abstract Tensor ModuleForward();

    protected static float[] Uniform(Random random, int count, float low, float high)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = low + ((high - low) * random.NextSingle());
        }

        return values;
    }

    /// <summary>Rows of random positive values that sum to 1.</summary>
    private static float[] RandomDistributions(Random random, int batch, int classes)
    {
        float[] values = Uniform(random, batch * classes, 0f, 1f);
        for (int n = 0; n < batch; n++)
        {
            Span<float> row = values.AsSpan(n * classes, classes);
            float total = 0;
            foreach (float value in row)
            {
                total += value;
            }

            for (int c = 0; c < classes; c++)
            {
                row[c] /= total;
            }
        }

        return values;
    }
}
