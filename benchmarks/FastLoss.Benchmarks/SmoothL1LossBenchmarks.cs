using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>SmoothL1Loss with beta = 1 (torch's default); inputs straddle the quadratic and linear parts.</summary>
[BenchmarkCategory("SmoothL1Loss")]
public class SmoothL1LossBenchmarks : ElementwiseLossBenchmarks
{
    private SmoothL1Loss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size) =>
        (Uniform(random, size, -3f, 3f), Uniform(random, size, -3f, 3f));

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.smooth_l1_loss(input, target);

    protected override float Forward() => SmoothL1.Forward(Input, Target);

    protected override void Backward() => SmoothL1.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => SmoothL1.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new SmoothL1Loss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        const float Beta = 1f;
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float d = input[i] - target[i];
            float magnitude = MathF.Abs(d);
            if (magnitude < Beta)
            {
                total += 0.5f * d * d / Beta;
                inputGrad[i] = scale * d / Beta;
            }
            else
            {
                total += magnitude - (0.5f * Beta);
                inputGrad[i] = d > 0f ? scale : -scale;
            }
        }

        return (float)(total / input.Length);
    }
}
