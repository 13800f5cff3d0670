using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// NLLLoss on log-probabilities (log-softmax of logits in [-4, 4]) with class-index targets, no weight. The fused
/// kernel writes the gradient (4 * N * C bytes: zeros and one -1/N per row) and reads the targets and the picked
/// inputs (12 * N).
/// </summary>
[BenchmarkCategory("NLLLoss")]
public class NLLLossBenchmarks : ClassificationLossBenchmarks
{
    private static readonly (int Batch, int Classes)[] Sizes = [(64, 10), (4096, 1000)];

    private NLLLoss _module = null!;

    [ParamsSource(nameof(Cases))]
    public ClassificationCase Shape { get; set; } = null!;

    public static IEnumerable<ClassificationCase> Cases
    {
        get
        {
            foreach (var (batch, classes) in Sizes)
            {
                yield return new ClassificationCase(batch, classes, probabilityTargets: false, (4L * batch * classes) + (12L * batch));
            }
        }
    }

    protected override ClassificationCase Sizing => Shape;

    protected override float[] MakeInput(Random random, int batch, int classes)
    {
        float[] logits = Uniform(random, batch * classes, -4f, 4f);
        var logProbabilities = new float[logits.Length];
        LogSoftmaxKernel.Forward(logits, new ClassLayout(batch, classes, 1), logProbabilities);
        return logProbabilities;
    }

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.nll_loss(input, target);

    protected override float Forward() => NllLoss.Forward(Input, Layout, Indices);

    protected override void Backward() => NllLoss.Backward(Layout, Indices, InputGrad);

    protected override float ForwardBackward() => NllLoss.ForwardBackward(Input, Layout, Indices, InputGrad);

    protected override void CreateModule() => _module = new NLLLoss();

    protected override Tensor ModuleForward() => _module.Forward(ModuleInput, ModuleIndices);
}
