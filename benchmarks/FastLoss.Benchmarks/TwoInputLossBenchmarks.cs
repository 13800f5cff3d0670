using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// The losses of two differentiable inputs, mean reduction, over <see cref="Size"/> elements: TorchSharp forward and
/// autograd backward into both inputs' grads against FastLoss's fused ForwardBackward (both gradients in the loss's
/// pass) and the module. GaussianNLLLoss' torch side is F.gaussian_nll_loss as torch writes it in torch ops
/// (TorchSharp's own computes under no_grad and has no backward): clone, clamp_ under no_grad, the formula.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("TwoInputLosses")]
public class TwoInputLossBenchmarks
{
    private const float Eps = 1e-6f;
    private torch.Tensor _torchA = null!, _torchB = null!, _torchTarget = null!;
    private Tensor _a = null!, _b = null!, _target = null!;
    private float[] _x1 = [], _x2 = [], _y = [], _g1 = [], _g2 = [];
    private MarginRankingLoss _ranking = null!;
    private GaussianNLLLoss _gaussian = null!;

    [Params(64, 4096, 1048576)]
    public int Size { get; set; }

    [Params("MarginRankingLoss", "GaussianNLLLoss")]
    public string Loss { get; set; } = "MarginRankingLoss";

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        var random = new Random(20261202 + Size);
        _x1 = Uniform(random, -3f, 3f);
        _x2 = Loss == "GaussianNLLLoss" ? Uniform(random, 0.05f, 4f) : Uniform(random, -3f, 3f);
        _y = Uniform(random, -3f, 3f);
        if (Loss == "MarginRankingLoss")
        {
            for (int i = 0; i < Size; i++)
            {
                _y[i] = _y[i] < 0f ? -1f : 1f;
            }
        }

        _g1 = new float[Size];
        _g2 = new float[Size];
        _torchA = torch.tensor(_x1, requires_grad: true);
        _torchB = torch.tensor(_x2, requires_grad: true);
        _torchTarget = torch.tensor(_y);
        _a = Tensor.Wrap(_x1, 0, Size);
        _b = Tensor.Wrap(_x2, 0, Size);
        _target = Tensor.Wrap(_y, 0, Size);
        _a.RequiresGrad = _b.RequiresGrad = true;
        _ranking = new MarginRankingLoss(0.1f);
        _gaussian = new GaussianNLLLoss();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchA.Dispose();
        _torchB.Dispose();
        _torchTarget.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp forward+backward")]
    public float TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _torchA.grad = null;
        _torchB.grad = null;
        torch.Tensor loss;
        if (Loss == "MarginRankingLoss")
        {
            loss = torch.nn.functional.margin_ranking_loss(_torchA, _torchB, _torchTarget, 0.1);
        }
        else
        {
            torch.Tensor var = _torchB.clone();
            using (torch.no_grad())
            {
                var.clamp_(min: Eps);
            }

            loss = (0.5 * (torch.log(var) + ((_torchA - _torchTarget).pow(2) / var))).mean();
        }

        loss.backward();
        return loss.item<float>();
    }

    [Benchmark(Description = "FastLoss ForwardBackward")]
    public float FastLossForwardBackward() => Loss == "MarginRankingLoss"
        ? MarginRanking.ForwardBackward(_x1, _x2, _y, _g1, _g2, margin: 0.1f)
        : GaussianNll.ForwardBackward(_x1, _x2, _y, _g1, _g2, eps: Eps);

    [Benchmark(Description = "FastLoss module")]
    public float FastLossModule()
    {
        Tensor loss = Loss == "MarginRankingLoss" ? _ranking.Forward(_a, _b, _target) : _gaussian.Forward(_a, _target, _b);
        loss.Backward();
        return loss.Item();
    }

    private float[] Uniform(Random random, float low, float high)
    {
        var values = new float[Size];
        for (int i = 0; i < Size; i++)
        {
            values[i] = low + ((high - low) * random.NextSingle());
        }

        return values;
    }
}
