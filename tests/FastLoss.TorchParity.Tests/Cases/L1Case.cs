using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

internal sealed class L1Case : ElementwiseLossCase
{
    public override string Name => "L1Loss";

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        var (input, target) = data.Regression(TensorShape.ElementCount(shape));
        return new LossInputs(shape, input, target);
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.l1_loss(input, target, reduction);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        L1.Forward(inputs.Input, inputs.Target, reduction);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        L1.ForwardNone(inputs.Input, inputs.Target, loss);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        L1.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        L1.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        L1.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new L1Loss(reduction).Forward(input, target);
}
