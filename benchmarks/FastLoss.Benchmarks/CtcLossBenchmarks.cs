using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// CTCLoss (mean reduction, blank 0) at a speech-like shape: T = 50 frames, N = 16 sequences, C = 20 labels, padded
/// targets of up to S = 30 labels (15 to 30, each sequence feasible), input lengths 40 to 50; log-probabilities are the
/// log_softmax of logits in [-4, 4]. TorchSharp's ctc_loss forward and backward through autograd against FastLoss's
/// span functions and module on the same data.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("CTCLoss")]
public class CtcLossBenchmarks
{
    private const int Time = 50;
    private const int Batch = 16;
    private const int Classes = 20;
    private const int MaxTarget = 30;

    private readonly CTCLoss _module = new();
    private float[] _logProbs = [];
    private float[] _grad = [];
    private float[] _workspace = [];
    private long[] _labels = [];
    private int[] _inputLengths = [];
    private int[] _targetLengths = [];
    private Tensor _moduleInput = null!;
    private IndexTensor _moduleTargets = null!;
    private torch.Tensor _torchInput = null!;
    private torch.Tensor _torchTargets = null!;
    private torch.Tensor _torchInputLengths = null!;
    private torch.Tensor _torchTargetLengths = null!;

    private CtcLayout Layout => new(Time, Batch, Classes);

    private CtcTargets Targets => CtcTargets.Padded(_labels, MaxTarget, _inputLengths, _targetLengths);

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        var random = new Random(20260302);
        float[] logits = new float[Time * Batch * Classes];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (8 * random.NextSingle()) - 4;
        }

        _logProbs = new float[logits.Length];
        LogSoftmaxKernel.Forward(logits, new ClassLayout(Time * Batch, Classes, 1), _logProbs);
        _grad = new float[logits.Length];
        _labels = new long[Batch * MaxTarget];
        _inputLengths = new int[Batch];
        _targetLengths = new int[Batch];
        for (int n = 0; n < Batch; n++)
        {
            _inputLengths[n] = Time - random.Next(11);
            int length = 15 + random.Next(MaxTarget - 14);
            int steps = 0;
            for (int i = 0; i < MaxTarget; i++)
            {
                _labels[(n * MaxTarget) + i] = 1 + random.Next(Classes - 1);
            }

            // Each repeated label needs a blank between: shorten the target until it fits its input.
            for (int i = 0; i < length; i++)
            {
                steps += i > 0 && _labels[(n * MaxTarget) + i] == _labels[(n * MaxTarget) + i - 1] ? 2 : 1;
                if (steps > _inputLengths[n])
                {
                    length = i;
                    break;
                }
            }

            _targetLengths[n] = length;
        }

        _workspace = new float[CtcLoss.WorkspaceLength(Layout, _targetLengths)];
        _moduleInput = Tensor.Wrap(_logProbs, 0, Time, Batch, Classes);
        _moduleInput.RequiresGrad = true;
        _moduleTargets = IndexTensor.FromValues(_labels, Batch, MaxTarget);
        _torchInput = torch.tensor(_logProbs, [Time, Batch, Classes], requires_grad: true);
        _torchTargets = torch.tensor(_labels, [Batch, MaxTarget]);
        _torchInputLengths = torch.tensor(Array.ConvertAll(_inputLengths, v => (long)v));
        _torchTargetLengths = torch.tensor(Array.ConvertAll(_targetLengths, v => (long)v));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchInput.Dispose();
        _torchTargets.Dispose();
        _torchInputLengths.Dispose();
        _torchTargetLengths.Dispose();
    }

    /// <summary>A TorchSharp step's loss part: forward, backward into log_probs.grad (reset first), the loss read back.</summary>
    [Benchmark(Baseline = true, Description = "TorchSharp forward+backward")]
    public float TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _torchInput.grad = null;
        torch.Tensor loss = torch.nn.functional.ctc_loss(_torchInput, _torchTargets, _torchInputLengths, _torchTargetLengths);
        loss.backward();
        return loss.item<float>();
    }

    [Benchmark(Description = "TorchSharp forward")]
    public float TorchForward()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return torch.nn.functional.ctc_loss(_torchInput, _torchTargets, _torchInputLengths, _torchTargetLengths).item<float>();
    }

    [Benchmark(Description = "FastLoss Forward")]
    public float FastLossForward() => CtcLoss.Forward(_logProbs, Layout, Targets, _workspace);

    [Benchmark(Description = "FastLoss ForwardBackward")]
    public float FastLossForwardBackward() => CtcLoss.ForwardBackward(_logProbs, Layout, Targets, _grad, _workspace);

    /// <summary>The module path: Forward records a node, Backward adds into logProbs.Grad.</summary>
    [Benchmark(Description = "FastLoss module")]
    public float FastLossModule()
    {
        Tensor loss = _module.Forward(_moduleInput, _moduleTargets, _inputLengths, _targetLengths);
        loss.Backward();
        return loss.Item();
    }
}
