using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

[BenchmarkCategory("L1Loss")]
public class L1LossBenchmarks : ElementwiseLossBenchmarks
{
    private L1Loss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size) =>
        (Uniform(random, size, -3f, 3f), Uniform(random, size, -3f, 3f));

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.l1_loss(input, target);

    protected override float Forward() => L1.Forward(Input, Target);

    protected override void Backward() => L1.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => L1.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new L1Loss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float d = input[i] - target[i];
            total += MathF.Abs(d);
            inputGrad[i] = d > 0f ? scale : d < 0f ? -scale : 0f;
        }

        return (float)(total / input.Length);
    }
}
