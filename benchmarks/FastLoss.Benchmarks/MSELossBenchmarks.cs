using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

[BenchmarkCategory("MSELoss")]
public class MSELossBenchmarks : ElementwiseLossBenchmarks
{
    private MSELoss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size) =>
        (Uniform(random, size, -3f, 3f), Uniform(random, size, -3f, 3f));

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.mse_loss(input, target);

    protected override float Forward() => MeanSquaredError.Forward(Input, Target);

    protected override void Backward() => MeanSquaredError.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => MeanSquaredError.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new MSELoss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        float scale = 2f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float d = input[i] - target[i];
            total += d * d;
            inputGrad[i] = scale * d;
        }

        return (float)(total / input.Length);
    }
}
