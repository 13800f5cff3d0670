using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>PoissonNLLLoss(log_input=True, full=False), torch's defaults: log-rate inputs, count targets.</summary>
[BenchmarkCategory("PoissonNLLLoss")]
public class PoissonNLLLossBenchmarks : ElementwiseLossBenchmarks
{
    private PoissonNLLLoss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size)
    {
        float[] counts = Uniform(random, size, 0f, 7f);
        for (int i = 0; i < size; i++)
        {
            counts[i] = MathF.Floor(counts[i]);
        }

        return (Uniform(random, size, -3f, 3f), counts);
    }

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.poisson_nll_loss(input, target);

    protected override float Forward() => PoissonNll.Forward(Input, Target);

    protected override void Backward() => PoissonNll.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => PoissonNll.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new PoissonNLLLoss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float rate = MathF.Exp(input[i]);
            total += rate - (target[i] * input[i]);
            inputGrad[i] = (rate - target[i]) * scale;
        }

        return (float)(total / input.Length);
    }
}
