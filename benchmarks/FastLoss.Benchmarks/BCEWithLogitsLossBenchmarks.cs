using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>BCEWithLogitsLoss on logits in [-6, 6] against soft targets, no weight or pos_weight.</summary>
[BenchmarkCategory("BCEWithLogitsLoss")]
public class BCEWithLogitsLossBenchmarks : ElementwiseLossBenchmarks
{
    private BCEWithLogitsLoss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size) =>
        (Uniform(random, size, -6f, 6f), Uniform(random, size, 0f, 1f));

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.binary_cross_entropy_with_logits(input, target);

    protected override float Forward() => BinaryCrossEntropyWithLogits.Forward(Input, Target);

    protected override void Backward() => BinaryCrossEntropyWithLogits.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => BinaryCrossEntropyWithLogits.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new BCEWithLogitsLoss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float x = input[i];
            float y = target[i];
            total += ((1f - y) * x) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f);
            inputGrad[i] = scale * ((1f / (1f + MathF.Exp(-x))) - y);
        }

        return (float)(total / input.Length);
    }
}
