using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>KLDivLoss: log-probability inputs, probability targets with exact zeros (or log targets).</summary>
internal sealed class KLDivCase(bool logTarget) : ElementwiseLossCase
{
    public override string Name => logTarget ? "KLDivLoss(log_target)" : "KLDivLoss";

    public override bool ScalesUpstreamIntoAPart => true;

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        int count = TensorShape.ElementCount(shape);
        float[] input = data.Uniform(count, -6f, 0f);
        float[] target = logTarget ? data.Uniform(count, -6f, 0.5f) : data.Uniform(count, 0f, 1f);
        for (int i = 3; i < count && !logTarget; i += 7)
        {
            target[i] = 0f; // 0 log 0: a zero term, and torch's NaN target gradient
        }

        return new LossInputs(shape, input, target);
    }

    // TorchSharp's kl_div defaults log_target to true; Python's (and FastLoss's) default is false, so it is always passed.
    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction) =>
        torch.nn.functional.kl_div(input, target, reduction: reduction, log_target: logTarget);

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        KLDivergence.Forward(inputs.Input, inputs.Target, reduction, logTarget);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        KLDivergence.ForwardNone(inputs.Input, inputs.Target, loss, logTarget);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        KLDivergence.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream, logTarget);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        KLDivergence.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad, logTarget);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        KLDivergence.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction, logTarget);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new KLDivLoss(reduction, logTarget).Forward(input, target);

    /// <summary>The terms y log y and y x (or exp(y) y and exp(y) x) are rounded relative to their own size.</summary>
    public override float[] ValueScale(LossInputs inputs) => PerElement(inputs, (x, y) =>
        logTarget ? MathF.Exp(Math.Min(y, 80f)) * (Math.Abs(y) + Math.Abs(x)) : Math.Abs(y * MathF.Log(Math.Abs(y))) + Math.Abs(y * x));

    /// <summary>The target gradient log y + 1 - x (or exp(y) (y - x + 1)) is rounded relative to its parts.</summary>
    public override float[] GradientScale(LossInputs inputs) => PerElement(inputs, (x, y) =>
        logTarget ? MathF.Exp(Math.Min(y, 80f)) * (Math.Abs(y) + Math.Abs(x) + 1f) : Math.Abs(MathF.Log(Math.Abs(y))) + Math.Abs(x) + 1f);
}
