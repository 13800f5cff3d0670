using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.HuberLoss(delta).</summary>
public sealed class HuberLoss : ElementwiseLossModule
{
    public HuberLoss(Reduction reduction = Reduction.Mean, float delta = 1f)
        : base(reduction)
    {
        if (!(delta > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), $"huber_loss does not support non-positive values for delta (got {delta})");
        }

        Delta = delta;
    }

    /// <summary>Where the loss turns from quadratic to linear with slope delta.</summary>
    public float Delta { get; }

    protected override float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        Huber.Forward(input, target, reduction, Delta);

    protected override void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        Huber.ForwardNone(input, target, loss, Delta);

    protected override float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        Huber.ForwardBackward(input, target, inputGrad, reduction, Delta);

    protected override void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        Huber.BackwardNone(input, target, upstream, inputGrad, Delta);
}
