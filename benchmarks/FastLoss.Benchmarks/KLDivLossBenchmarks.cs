using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>KLDivLoss(reduction='mean', log_target=False): log-probability inputs, probability targets.</summary>
[BenchmarkCategory("KLDivLoss")]
public class KLDivLossBenchmarks : ElementwiseLossBenchmarks
{
    private KLDivLoss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size) =>
        (Uniform(random, size, -6f, 0f), Uniform(random, size, 0f, 1f));

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.kl_div(input, target, log_target: false);

    protected override float Forward() => KLDivergence.Forward(Input, Target);

    protected override void Backward() => KLDivergence.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => KLDivergence.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new KLDivLoss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float y = target[i];
            total += (y == 0f ? 0f : y * MathF.Log(y)) - (y * input[i]);
            inputGrad[i] = -y * scale;
        }

        return (float)(total / input.Length);
    }
}
