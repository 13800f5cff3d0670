using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// The row-wise losses over rows of 64 features, mean reduction, at 64, 4096 and 1M elements (1, 64 and 16,384
/// rows): TorchSharp forward and autograd backward into every input's grad against FastLoss's fused ForwardBackward
/// and its module. "TripletMarginLoss p=3" is the general p-norm (powers as exp and log) beside torch's.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("RowwiseLosses")]
public class RowwiseLossBenchmarks
{
    private const int Features = 64;
    private torch.Tensor _torchA = null!, _torchB = null!, _torchC = null!, _torchLabels = null!;
    private Tensor _a = null!, _b = null!, _c = null!, _labels = null!;
    private float[] _x1 = [], _x2 = [], _x3 = [], _y = [], _g1 = [], _g2 = [], _g3 = [];
    private CosineEmbeddingLoss _cosine = null!;
    private TripletMarginLoss _triplet = null!, _tripletCubic = null!;

    [Params(64, 4096, 1048576)]
    public int Size { get; set; }

    [Params("CosineEmbeddingLoss", "TripletMarginLoss", "TripletMarginLoss p=3")]
    public string Loss { get; set; } = "CosineEmbeddingLoss";

    private int Rows => Size / Features;

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        var random = new Random(20261202 + Size);
        _x1 = Uniform(random, Size);
        _x2 = Uniform(random, Size);
        _x3 = Uniform(random, Size);
        _y = new float[Rows];
        for (int r = 0; r < Rows; r++)
        {
            _y[r] = random.Next(2) == 0 ? -1f : 1f;
        }

        _g1 = new float[Size];
        _g2 = new float[Size];
        _g3 = new float[Size];
        long[] shape = [Rows, Features];
        _torchA = torch.tensor(_x1, shape, requires_grad: true);
        _torchB = torch.tensor(_x2, shape, requires_grad: true);
        _torchC = torch.tensor(_x3, shape, requires_grad: true);
        _torchLabels = torch.tensor(_y);
        _a = Tensor.Wrap(_x1, 0, Rows, Features);
        _b = Tensor.Wrap(_x2, 0, Rows, Features);
        _c = Tensor.Wrap(_x3, 0, Rows, Features);
        _labels = Tensor.Wrap(_y, 0, Rows);
        _a.RequiresGrad = _b.RequiresGrad = _c.RequiresGrad = true;
        _cosine = new CosineEmbeddingLoss();
        _triplet = new TripletMarginLoss();
        _tripletCubic = new TripletMarginLoss(p: 3f);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchA.Dispose();
        _torchB.Dispose();
        _torchC.Dispose();
        _torchLabels.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp forward+backward")]
    public float TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _torchA.grad = null;
        _torchB.grad = null;
        _torchC.grad = null;
        torch.Tensor loss = Loss switch
        {
            "CosineEmbeddingLoss" => torch.nn.functional.cosine_embedding_loss(_torchA, _torchB, _torchLabels),
            "TripletMarginLoss" => torch.nn.functional.triplet_margin_loss(_torchA, _torchB, _torchC),
            _ => torch.nn.functional.triplet_margin_loss(_torchA, _torchB, _torchC, p: 3),
        };
        loss.backward();
        return loss.item<float>();
    }

    [Benchmark(Description = "FastLoss ForwardBackward")]
    public float FastLossForwardBackward() => Loss switch
    {
        "CosineEmbeddingLoss" => CosineEmbedding.ForwardBackward(_x1, _x2, _y, _g1, _g2),
        "TripletMarginLoss" => TripletMargin.ForwardBackward(_x1, _x2, _x3, Rows, _g1, _g2, _g3),
        _ => TripletMarginPNorm.ForwardBackward(_x1, _x2, _x3, Rows, _g1, _g2, _g3, p: 3f),
    };

    [Benchmark(Description = "FastLoss module")]
    public float FastLossModule()
    {
        Tensor loss = Loss switch
        {
            "CosineEmbeddingLoss" => _cosine.Forward(_a, _b, _labels),
            "TripletMarginLoss" => _triplet.Forward(_a, _b, _c),
            _ => _tripletCubic.Forward(_a, _b, _c),
        };
        loss.Backward();
        return loss.Item();
    }

    private static float[] Uniform(Random random, int size)
    {
        var values = new float[size];
        for (int i = 0; i < size; i++)
        {
            values[i] = (2f * random.NextSingle()) - 1f;
        }

        return values;
    }
}
