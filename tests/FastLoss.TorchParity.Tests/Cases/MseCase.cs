using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

internal sealed class MseCase : ElementwiseLossCase
{
    public override string Name => "MSELoss";

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        var (input, target) = data.Regression(TensorShape.ElementCount(shape));
        return new LossInputs(shape, input, target);
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.mse_loss(input, target, reduction);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        MeanSquaredError.Forward(inputs.Input, inputs.Target, reduction);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        MeanSquaredError.ForwardNone(inputs.Input, inputs.Target, loss);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        MeanSquaredError.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        MeanSquaredError.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        MeanSquaredError.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new MSELoss(reduction).Forward(input, target);

    /// <summary>Terms reach 36 for inputs in [-3, 3]; a gradient 2d reaches 12.</summary>
    public override float[] ValueScale(LossInputs inputs) => Squares(inputs);

    public override float[] GradientScale(LossInputs inputs) => Squares(inputs);

    private static float[] Squares(LossInputs inputs)
    {
        var scale = new float[inputs.Length];
        for (int i = 0; i < scale.Length; i++)
        {
            float d = inputs.Input[i] - inputs.Target[i];
            scale[i] = Math.Max(1f, d * d);
        }

        return scale;
    }
}
