using System.Globalization;
using FastLoss.Functional;
using FastLoss.Generation;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// HingeEmbeddingLoss: inputs in [-2, 3] with some exactly at the margin (where torch's clamp_min passes the
/// gradient), targets 1 and -1 and, now and then, a value that is neither (both terms apply). The target is a label.
/// </summary>
internal sealed class HingeEmbeddingCase(float margin) : ElementwiseLossCase
{
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"HingeEmbeddingLoss(margin={margin})");

    public override LossTarget TargetKind => LossTarget.Label;

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        int count = TensorShape.ElementCount(shape);
        float[] input = data.Uniform(count, -2f, 3f);
        float[] target = new float[count];
        for (int i = 0; i < count; i++)
        {
            target[i] = i % 11 == 5 ? 0.5f : data.Uniform(0f, 1f) < 0.5f ? -1f : 1f;
            if (i % 6 == 2)
            {
                input[i] = margin;
            }
        }

        return new LossInputs(shape, input, target);
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.hinge_embedding_loss(input, target, margin, reduction);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        HingeEmbedding.Forward(inputs.Input, inputs.Target, reduction, margin);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        HingeEmbedding.ForwardNone(inputs.Input, inputs.Target, loss, margin);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        HingeEmbedding.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream, margin);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        HingeEmbedding.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad, margin);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        HingeEmbedding.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction, margin);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new HingeEmbeddingLoss(margin, reduction).Forward(input, target);

    public override float[] ValueScale(LossInputs inputs) => PerElement(inputs, (x, y) => Math.Abs(x) + Math.Abs(margin) + 1f);
}
