using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.MSELoss: mean (or sum, or none) of (input - target)^2.</summary>
public sealed class MSELoss : ElementwiseLossModule
{
    public MSELoss(Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
    }

    protected override float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        MeanSquaredError.Forward(input, target, reduction);

    protected override void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        MeanSquaredError.ForwardNone(input, target, loss);

    protected override float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        MeanSquaredError.ForwardBackward(input, target, inputGrad, reduction);

    protected override void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        MeanSquaredError.BackwardNone(input, target, upstream, inputGrad);
}
