using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

internal sealed class BceWithLogitsCase(bool weighted, bool posWeighted, float logitMagnitude = 6f) : ElementwiseLossCase
{
    public override string Name =>
        "BCEWithLogitsLoss" + (weighted ? "(weight)" : "") + (posWeighted ? "(pos_weight)" : "") +
        (logitMagnitude > 6f ? "(large logits)" : "");

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        var (input, target) = data.Logits(TensorShape.ElementCount(shape));
        if (logitMagnitude > 6f)
        {
            // Saturated logits: exp(|x|) overflows float32, so only a stable formulation stays finite.
            for (int i = 0; i < input.Length; i += 2)
            {
                input[i] = (i / 2) % 2 == 0 ? logitMagnitude : -logitMagnitude;
            }
        }

        var inputs = new LossInputs(shape, input, target);
        if (weighted)
        {
            inputs.AddWeight(data);
        }

        if (posWeighted)
        {
            inputs.AddPosWeight(data);
        }

        return inputs;
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.binary_cross_entropy_with_logits(input, target, WeightTensor(inputs, input), reduction, PosWeightTensor(inputs, input));

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        BinaryCrossEntropyWithLogits.Forward(inputs.Input, inputs.Target, reduction, inputs.ExpandedWeight, inputs.ExpandedPosWeight);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        BinaryCrossEntropyWithLogits.ForwardNone(inputs.Input, inputs.Target, loss, inputs.ExpandedWeight, inputs.ExpandedPosWeight);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        BinaryCrossEntropyWithLogits.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream, inputs.ExpandedWeight, inputs.ExpandedPosWeight);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        BinaryCrossEntropyWithLogits.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad, inputs.ExpandedWeight, inputs.ExpandedPosWeight);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        BinaryCrossEntropyWithLogits.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction, inputs.ExpandedWeight, inputs.ExpandedPosWeight);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new BCEWithLogitsLoss(FastWeightTensor(inputs), reduction, FastPosWeightTensor(inputs)).Forward(input, target);

    /// <summary>
    /// A term is (1 - y) x plus (1 + (p - 1) y) times a softplus of about max(-x, 0): two values of size |x|
    /// that cancel for confident logits, so its rounding is that of |x|, times w and the pos_weight factor.
    /// </summary>
    public override float[] ValueScale(LossInputs inputs)
    {
        var scale = new float[inputs.Length];
        for (int i = 0; i < scale.Length; i++)
        {
            scale[i] = WeightFactor(inputs, i) * Math.Max(1f, Math.Abs(inputs.Input[i]));
        }

        return scale;
    }

    /// <summary>The gradient sigmoid(x) (1 - y + p y) - p y cancels to about w (1 + p) times epsilon.</summary>
    public override float[] GradientScale(LossInputs inputs)
    {
        var scale = new float[inputs.Length];
        for (int i = 0; i < scale.Length; i++)
        {
            scale[i] = WeightFactor(inputs, i);
        }

        return scale;
    }

    private static float WeightFactor(LossInputs inputs, int i) =>
        (inputs.ExpandedWeight?[i] ?? 1f) * (1f + (inputs.ExpandedPosWeight?[i] ?? 1f));
}
