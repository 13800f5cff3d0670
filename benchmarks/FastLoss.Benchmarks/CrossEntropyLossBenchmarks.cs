using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// CrossEntropyLoss on logits in [-4, 4], no weight, no smoothing. The fused kernel reads the logits and writes the
/// gradient (8 * N * C bytes) and reads the targets: 8 * N more for class indices, 4 * N * C for probabilities.
/// </summary>
[BenchmarkCategory("CrossEntropyLoss")]
public class CrossEntropyLossBenchmarks : ClassificationLossBenchmarks
{
    private static readonly (int Batch, int Classes)[] Sizes = [(1, 10), (64, 10), (256, 1000), (4096, 1000)];

    private CrossEntropyLoss _module = null!;

    [ParamsSource(nameof(Cases))]
    public ClassificationCase Shape { get; set; } = null!;

    public static IEnumerable<ClassificationCase> Cases
    {
        get
        {
            foreach (var (batch, classes) in Sizes)
            {
                long elements = (long)batch * classes;
                yield return new ClassificationCase(batch, classes, probabilityTargets: false, (8 * elements) + (8L * batch));
                yield return new ClassificationCase(batch, classes, probabilityTargets: true, 12 * elements);
            }
        }
    }

    protected override ClassificationCase Sizing => Shape;

    protected override float[] MakeInput(Random random, int batch, int classes) => Uniform(random, batch * classes, -4f, 4f);

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.cross_entropy(input, target);

    protected override float Forward() => Shape.ProbabilityTargets
        ? CrossEntropy.Forward(Input, Layout, Probabilities)
        : CrossEntropy.Forward(Input, Layout, Indices);

    protected override void Backward()
    {
        if (Shape.ProbabilityTargets)
        {
            CrossEntropy.Backward(Input, Layout, Probabilities, InputGrad);
        }
        else
        {
            CrossEntropy.Backward(Input, Layout, Indices, InputGrad);
        }
    }

    protected override float ForwardBackward() => Shape.ProbabilityTargets
        ? CrossEntropy.ForwardBackward(Input, Layout, Probabilities, InputGrad)
        : CrossEntropy.ForwardBackward(Input, Layout, Indices, InputGrad);

    protected override void CreateModule() => _module = new CrossEntropyLoss();

    protected override Tensor ModuleForward() => Shape.ProbabilityTargets
        ? _module.Forward(ModuleInput, ModuleProbabilities)
        : _module.Forward(ModuleInput, ModuleIndices);
}
