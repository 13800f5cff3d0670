using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.Functional.Margin;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// The losses over rows of class scores that had no benchmark: MultiMarginLoss, MultiLabelMarginLoss (targets of
/// three classes, padded with -1) and MultiLabelSoftMarginLoss, mean reduction, 10 classes, at about 64, 4096 and 1M
/// scores (6, 409 and 104,857 rows): TorchSharp forward and autograd backward against FastLoss's fused ForwardBackward.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ClassMarginLosses")]
public class ClassMarginLossBenchmarks
{
    private const int Classes = 10;
    private torch.Tensor _torchInput = null!, _torchIndices = null!, _torchLabels = null!, _torchMultiHot = null!;
    private float[] _input = [], _multiHot = [], _gradient = [];
    private long[] _indices = [], _labels = [];

    [Params(64, 4096, 1048576)]
    public int Size { get; set; }

    [Params("MultiMarginLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss")]
    public string Loss { get; set; } = "MultiMarginLoss";

    private int Rows => Size / Classes;

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        var random = new Random(20261202 + Size);
        int n = Rows * Classes;
        _input = new float[n];
        _multiHot = new float[n];
        _gradient = new float[n];
        _indices = new long[Rows];
        _labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            _input[i] = (2f * random.NextSingle()) - 1f;
            _labels[i] = -1;
        }

        for (int r = 0; r < Rows; r++)
        {
            _indices[r] = random.Next(Classes);
            for (int k = 0; k < 3; k++)
            {
                long label = (_indices[r] + (3 * k)) % Classes;
                _labels[(r * Classes) + k] = label;
                _multiHot[(r * Classes) + label] = 1f;
            }
        }

        long[] shape = [Rows, Classes];
        _torchInput = torch.tensor(_input, shape, requires_grad: true);
        _torchIndices = torch.tensor(_indices);
        _torchLabels = torch.tensor(_labels, shape);
        _torchMultiHot = torch.tensor(_multiHot, shape);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchInput.Dispose();
        _torchIndices.Dispose();
        _torchLabels.Dispose();
        _torchMultiHot.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp forward+backward")]
    public float TorchForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        _torchInput.grad = null;
        torch.Tensor loss = Loss switch
        {
            "MultiMarginLoss" => torch.nn.functional.multi_margin_loss(_torchInput, _torchIndices),
            "MultiLabelMarginLoss" => torch.nn.MultiLabelMarginLoss().forward(_torchInput, _torchLabels),
            _ => torch.nn.functional.multilabel_soft_margin_loss(_torchInput, _torchMultiHot, null),
        };
        loss.backward();
        return loss.item<float>();
    }

    [Benchmark(Description = "FastLoss ForwardBackward")]
    public float FastLossForwardBackward() => Loss switch
    {
        "MultiMarginLoss" => MultiMargin.ForwardBackward(_input, new ClassLayout(_indices.Length, Classes, 1), _indices, _gradient),
        "MultiLabelMarginLoss" => MultiLabelMargin.ForwardBackward(_input, _labels, Classes, _gradient),
        // The module's mean over samples of per-sample class means is the mean over all terms.
        _ => MultiLabelSoftMargin.ForwardBackward(_input, _multiHot, _gradient),
    };
}
