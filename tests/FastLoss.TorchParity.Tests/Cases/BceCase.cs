using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

internal sealed class BceCase(bool weighted) : ElementwiseLossCase
{
    public override string Name => weighted ? "BCELoss(weight)" : "BCELoss";

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        var (input, target) = data.Probabilities(TensorShape.ElementCount(shape));
        var inputs = new LossInputs(shape, input, target);
        if (weighted)
        {
            inputs.AddWeight(data);
        }

        return inputs;
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.binary_cross_entropy(input, target, WeightTensor(inputs, input), reduction);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        BinaryCrossEntropy.Forward(inputs.Input, inputs.Target, reduction, inputs.ExpandedWeight);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        BinaryCrossEntropy.ForwardNone(inputs.Input, inputs.Target, loss, inputs.ExpandedWeight);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        BinaryCrossEntropy.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream, inputs.ExpandedWeight);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        BinaryCrossEntropy.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad, inputs.ExpandedWeight);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        BinaryCrossEntropy.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction, inputs.ExpandedWeight);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new BCELoss(FastWeightTensor(inputs), reduction).Forward(input, target);

    /// <summary>A term is at most w * 100 (the clamped log); its rounding scales with w.</summary>
    public override float[] ValueScale(LossInputs inputs) => WeightOrOnes(inputs);

    public override float[] GradientScale(LossInputs inputs) => WeightOrOnes(inputs);

    private static float[] WeightOrOnes(LossInputs inputs) =>
        inputs.ExpandedWeight is null ? Ones(inputs.Length) : (float[])inputs.ExpandedWeight.Clone();
}
