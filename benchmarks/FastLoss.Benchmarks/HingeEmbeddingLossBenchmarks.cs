using BenchmarkDotNet.Attributes;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>HingeEmbeddingLoss(margin=1): distances against ±1 labels.</summary>
[BenchmarkCategory("HingeEmbeddingLoss")]
public class HingeEmbeddingLossBenchmarks : ElementwiseLossBenchmarks
{
    private HingeEmbeddingLoss _module = null!;

    protected override (float[] Input, float[] Target) MakeData(Random random, int size)
    {
        float[] labels = new float[size];
        for (int i = 0; i < size; i++)
        {
            labels[i] = random.Next(2) == 0 ? -1f : 1f;
        }

        return (Uniform(random, size, 0f, 2f), labels);
    }

    protected override torch.Tensor TorchLoss(torch.Tensor input, torch.Tensor target) =>
        torch.nn.functional.hinge_embedding_loss(input, target);

    protected override float Forward() => HingeEmbedding.Forward(Input, Target);

    protected override void Backward() => HingeEmbedding.Backward(Input, Target, InputGrad);

    protected override float ForwardBackward() => HingeEmbedding.ForwardBackward(Input, Target, InputGrad);

    protected override void CreateModule() => _module = new HingeEmbeddingLoss();

    protected override Tensor ModuleForward(Tensor input, Tensor target) => _module.Forward(input, target);

    protected override float ScalarForwardBackward(float[] input, float[] target, float[] inputGrad)
    {
        const float Margin = 1f;
        float scale = 1f / input.Length;
        double total = 0;
        for (int i = 0; i < input.Length; i++)
        {
            float x = input[i];
            bool similar = target[i] == 1f;
            total += similar ? x : MathF.Max(Margin - x, 0f);
            inputGrad[i] = (similar ? 1f : Margin - x >= 0f ? -1f : 0f) * scale;
        }

        return (float)(total / input.Length);
    }
}
