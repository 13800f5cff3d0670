using System.Globalization;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

internal sealed class SmoothL1Case(float beta) : ElementwiseLossCase
{
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"SmoothL1Loss(beta={beta})");

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        var (input, target) = data.Regression(TensorShape.ElementCount(shape));
        return new LossInputs(shape, input, target);
    }

    /// <summary>
    /// PyTorch computes beta = 0 as l1_loss (gradient 0 where input equals target); TorchSharp's
    /// smooth_l1_loss wrapper does not, so the reference for beta = 0 is l1_loss, as Python routes it.
    /// </summary>
    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        beta == 0f
            ? torch.nn.functional.l1_loss(input, target, reduction)
            : torch.nn.functional.smooth_l1_loss(input, target, reduction, beta);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        SmoothL1.Forward(inputs.Input, inputs.Target, reduction, beta);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        SmoothL1.ForwardNone(inputs.Input, inputs.Target, loss, beta);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        SmoothL1.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream, beta);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        SmoothL1.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad, beta);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        SmoothL1.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction, beta);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new SmoothL1Loss(reduction, beta).Forward(input, target);
}
