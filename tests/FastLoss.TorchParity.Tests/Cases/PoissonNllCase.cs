using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// PoissonNLLLoss with its options. TorchSharp's poisson_nll_loss drops eps (its x - y log(x) is infinite at x = 0
/// whatever eps is), so the torch side is ATen's own definition written with torch ops, as loss.cpp computes it:
/// exp(x) - y x or x - y log(x + eps), plus the Stirling term masked_fill'ed to 0 where y &lt;= 1.
/// </summary>
internal sealed class PoissonNllCase(bool logInput, bool full, float eps = 1e-8f) : ElementwiseLossCase
{
    public override string Name => $"PoissonNLLLoss(log_input={logInput}, full={full}, eps={eps})";

    public override bool ScalesUpstreamIntoAPart => true;

    public override LossInputs MakeInputs(ParityData data, int[] shape)
    {
        int count = TensorShape.ElementCount(shape);
        float[] input = logInput ? data.Uniform(count, -3f, 3f) : data.Uniform(count, 0f, 5f);
        float[] target = new float[count];
        for (int i = 0; i < count; i++)
        {
            // Counts, with the Stirling mask's edge (1) and fractional rates beside them.
            target[i] = i % 4 == 3 ? data.Uniform(0f, 6f) : MathF.Floor(data.Uniform(0f, 7f));
            if (!logInput && i % 9 == 4)
            {
                input[i] = 0f; // a zero rate: log(eps)
            }
        }

        return new LossInputs(shape, input, target);
    }

    public override torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction)
    {
        torch.Tensor loss = logInput ? torch.exp(input) - (target * input) : input - (target * torch.log(input + eps));
        if (full)
        {
            torch.Tensor stirling = (target * torch.log(target)) - target + (0.5 * torch.log(2 * Math.PI * target));
            loss = loss + stirling.masked_fill(target <= 1, 0);
        }

        return reduction switch
        {
            torch.nn.Reduction.None => loss,
            torch.nn.Reduction.Sum => loss.sum(),
            _ => loss.mean(),
        };
    }

    public override float Forward(LossInputs inputs, Reduction reduction) =>
        PoissonNll.Forward(inputs.Input, inputs.Target, reduction, logInput, full, eps);

    public override void ForwardNone(LossInputs inputs, Span<float> loss) =>
        PoissonNll.ForwardNone(inputs.Input, inputs.Target, loss, logInput, full, eps);

    public override void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream) =>
        PoissonNll.Backward(inputs.Input, inputs.Target, inputGrad, reduction, upstream, logInput, full, eps);

    public override void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        PoissonNll.BackwardNone(inputs.Input, inputs.Target, upstream, inputGrad, logInput, full, eps);

    public override float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction) =>
        PoissonNll.ForwardBackward(inputs.Input, inputs.Target, inputGrad, reduction, logInput, full, eps);

    public override Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction) =>
        new PoissonNLLLoss(logInput, full, eps, reduction).Forward(input, target);

    /// <summary>exp(x), y x, y log(x + eps) and the Stirling term are each rounded relative to their size.</summary>
    public override float[] ValueScale(LossInputs inputs) => PerElement(inputs, (x, y) =>
        (logInput ? MathF.Exp(Math.Min(x, 80f)) + Math.Abs(y * x) : Math.Abs(x) + Math.Abs(y * MathF.Log(Math.Abs(x) + eps)))
        + (full ? Math.Abs(y * MathF.Log(Math.Abs(y))) + Math.Abs(y) + 2f : 0f));

    /// <summary>exp(x) - y, or 1 - y / (x + eps); the target's -x or -log(x + eps) plus log y + 1 / (2 y).</summary>
    public override float[] GradientScale(LossInputs inputs) => PerElement(inputs, (x, y) =>
        (logInput ? MathF.Exp(Math.Min(x, 80f)) + Math.Abs(y) + Math.Abs(x) : 1f + Math.Abs(y / (x + eps)) + Math.Abs(MathF.Log(Math.Abs(x) + eps)))
        + (full ? Math.Abs(MathF.Log(Math.Abs(y))) + 1f : 0f));
}
