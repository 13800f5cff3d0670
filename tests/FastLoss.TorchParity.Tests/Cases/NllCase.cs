using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>NLLLoss on the inputs' values (any floats, as torch accepts), against aten::nll_loss_nd.</summary>
internal sealed class NllCase(ClassificationInputs inputs) : ClassLossCase(inputs)
{
    /// <summary>
    /// An entry's loss -w[y] x[y] is one float32 product on both sides (relative 1e-6, two ulps). The terms have
    /// either sign, so the reduced loss gets 1e-6 times the sum of |terms| (summation order). The gradient
    /// -w[y] * upstream / denominator is rounded once or twice: relative 1e-6.
    /// </summary>
    private static readonly ClassTolerance Tolerances = new(
        ValueRelative: 1e-6, ValueAbsolute: 1e-6, ReducedRelative: 1e-6, GradientRelative: 1e-6, GradientAbsolute: 0);

    public override string Name => "NLLLoss";

    public override ClassTolerance Tolerance => Tolerances;

    public override torch.Tensor Torch(torch.Tensor input, Reduction reduction) =>
        TorchClassification.NllLoss(input, Inputs, reduction);

    public override float Forward(Reduction reduction) =>
        NllLoss.Forward(Inputs.Logits, Inputs.Layout, Inputs.Indices, Options(), reduction);

    public override void ForwardNone(Span<float> loss) =>
        NllLoss.ForwardNone(Inputs.Logits, Inputs.Layout, Inputs.Indices, loss, Options());

    public override void Backward(Span<float> inputGrad, Reduction reduction, float upstream) =>
        NllLoss.Backward(Inputs.Layout, Inputs.Indices, inputGrad, Options(), reduction, upstream);

    public override void BackwardNone(ReadOnlySpan<float> upstream, Span<float> inputGrad) =>
        NllLoss.BackwardNone(Inputs.Layout, Inputs.Indices, upstream, inputGrad, Options());

    public override float ForwardBackward(Span<float> inputGrad, Reduction reduction) =>
        NllLoss.ForwardBackward(Inputs.Logits, Inputs.Layout, Inputs.Indices, inputGrad, Options(), reduction);

    public override Tensor Module(Tensor input, Reduction reduction) =>
        new NLLLoss(Inputs.FastWeight, Inputs.IgnoreIndex, reduction).Forward(input, Inputs.FastIndices);

    /// <summary>|w[y] x[y]| for a kept entry, 0 for an ignored one.</summary>
    public override float[] EntryScale()
    {
        var scale = new float[Inputs.Layout.Entries];
        for (int n = 0; n < scale.Length; n++)
        {
            if (Inputs.IsKept(n))
            {
                long y = Inputs.Indices![n];
                scale[n] = Math.Abs(Inputs.WeightOf(y) * Inputs.Logits[Inputs.ElementOf(n, (int)y)]);
            }
        }

        return scale;
    }

    /// <summary>w[y] at each kept entry's target class, 0 elsewhere (where the gradient is exactly 0).</summary>
    public override float[] GradientScale()
    {
        var scale = new float[Inputs.Layout.Length];
        for (int n = 0; n < Inputs.Layout.Entries; n++)
        {
            if (Inputs.IsKept(n))
            {
                long y = Inputs.Indices![n];
                scale[Inputs.ElementOf(n, (int)y)] = Inputs.WeightOf(y);
            }
        }

        return scale;
    }

    private NllLossOptions Options() => new()
    {
        Weight = Inputs.Weight ?? [],
        IgnoreIndex = Inputs.IgnoreIndex,
    };
}
