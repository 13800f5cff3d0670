using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>SoftMarginLoss: scores against ±1 labels.</summary>
[BenchmarkCategory("SoftMarginLoss")]
public class SoftMarginLossBenchmarks : ElementwiseLossBenchmarks
{
    private SoftMarginLoss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size)
    {
        float[] labels = new float[size];
        for (int i = 0; i < size; i++)
        {
            labels[i] = random.Next(2) == 0 ? -1f : 1f;
        }

        return (Uniform(random, size, -4f, 4f), labels);
    }

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.soft_margin_loss(input, target);

    protected override float Forward() => SoftMargin.Forward(Input, Target);

    protected override void Backward() => SoftMargin.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => SoftMargin.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new SoftMarginLoss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float z = MathF.Exp(-target[i] * input[i]);
            total += MathF.Log(1f + z);
            inputGrad[i] = -target[i] * z / (1f + z) * scale;
        }

        return (float)(total / input.Length);
    }
}
