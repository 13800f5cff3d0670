using System.Globalization;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

internal sealed class HuberCase(float delta) : ElementwiseLossCase
{
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"HuberLoss(delta={delta})");

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        var (input, target) = data.Regression(TensorShape.ElementCount(shape));
        return new LossInputs(shape, input, target);
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.huber_loss(input, target, delta, reduction);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        Huber.Forward(inputs.Input, inputs.Target, reduction, delta);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        Huber.ForwardNone(inputs.Input, inputs.Target, loss, delta);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        Huber.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream, delta);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        Huber.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad, delta);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        Huber.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction, delta);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new HuberLoss(reduction, delta).Forward(input, target);

    /// <summary>Terms scale with delta (delta * |d| in the linear part).</summary>
    public override float[] ValueScale(LossInputs inputs) => Scaled(inputs.Length, Math.Max(1f, delta) * 3f);

    public override float[] GradientScale(LossInputs inputs) => Scaled(inputs.Length, Math.Max(1f, delta));

    private static float[] Scaled(int count, float value)
    {
        var scale = new float[count];
        Array.Fill(scale, value);
        return scale;
    }
}
