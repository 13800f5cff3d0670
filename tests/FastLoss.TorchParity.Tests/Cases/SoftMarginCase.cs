using FastLoss.Functional;
using FastLoss.Generation;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>SoftMarginLoss: inputs in [-8, 8] and ±1 targets; torch refuses a target that requires grad.</summary>
internal sealed class SoftMarginCase : ElementwiseLossCase
{
    public override string Name => "SoftMarginLoss";

    public override LossTarget TargetKind => LossTarget.NotDifferentiable;

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        int count = TensorShape.ElementCount(shape);
        float[] input = data.Uniform(count, -8f, 8f);
        float[] target = new float[count];
        for (int i = 0; i < count; i++)
        {
            target[i] = data.Uniform(0f, 1f) < 0.5f ? -1f : 1f;
        }

        return new LossInputs(shape, input, target);
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.soft_margin_loss(input, target, reduction);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        SoftMargin.Forward(inputs.Input, inputs.Target, reduction);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        SoftMargin.ForwardNone(inputs.Input, inputs.Target, loss);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        SoftMargin.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        SoftMargin.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        SoftMargin.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new SoftMarginLoss(reduction).Forward(input, target);

    /// <summary>log1p(exp(-y x)) is about |y x| where it is large: rounded relative to that.</summary>
    public override float[] ValueScale(LossInputs inputs) => PerElement(inputs, (x, y) => 1f + Math.Abs(x * y));

    public override float[] GradientScale(LossInputs inputs) => PerElement(inputs, (x, y) => 1f + Math.Abs(y));
}
