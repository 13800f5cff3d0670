using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>BCELoss on probabilities in (0, 1) against soft targets, no weight.</summary>
[BenchmarkCategory("BCELoss")]
public class BCELossBenchmarks : ElementwiseLossBenchmarks
{
    private BCELoss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size) =>
        (Uniform(random, size, 0.01f, 0.99f), Uniform(random, size, 0f, 1f));

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.binary_cross_entropy(input, target);

    protected override float Forward() => BinaryCrossEntropy.Forward(Input, Target);

    protected override void Backward() => BinaryCrossEntropy.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => BinaryCrossEntropy.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new BCELoss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float x = input[i];
            float y = target[i];
            // The same validation FastLoss and torch do: probabilities only.
            if (!(x >= 0f && x <= 1f && y >= 0f && y <= 1f))
            {
                throw new ArgumentOutOfRangeException(nameof(input), "all elements of input and target should be between 0 and 1");
            }

            total -= (y * MathF.Max(MathF.Log(x), -100f)) + ((1f - y) * MathF.Max(MathF.Log(1f - x), -100f));
            inputGrad[i] = scale * (x - y) / MathF.Max((1f - x) * x, 1e-12f);
        }

        return (float)(total / input.Length);
    }
}
