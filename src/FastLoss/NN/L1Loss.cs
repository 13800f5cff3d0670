using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.L1Loss: mean (or sum, or none) of |input - target|.</summary>
public sealed class L1Loss : ElementwiseLossModule
{
    public L1Loss(Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
    }

    protected override float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        L1.Forward(input, target, reduction);

    protected override void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        L1.ForwardNone(input, target, loss);

    protected override float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        L1.ForwardBackward(input, target, inputGrad, reduction);

    protected override void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        L1.BackwardNone(input, target, upstream, inputGrad);
}
