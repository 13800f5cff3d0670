using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.SmoothL1Loss(beta): quadratic below beta, linear above.</summary>
public sealed class SmoothL1Loss : ElementwiseLossModule
{
    public SmoothL1Loss(Reduction reduction = Reduction.Mean, float beta = 1f)
        : base(reduction)
    {
        if (beta < 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(beta), $"smooth_l1_loss does not support negative values for beta (got {beta})");
        }

        Beta = beta;
    }

    /// <summary>Where the loss turns from quadratic to linear; 0 makes it L1.</summary>
    public float Beta { get; }

    protected override float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        SmoothL1.Forward(input, target, reduction, Beta);

    protected override void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        SmoothL1.ForwardNone(input, target, loss, Beta);

    protected override float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        SmoothL1.ForwardBackward(input, target, inputGrad, reduction, Beta);

    protected override void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        SmoothL1.BackwardNone(input, target, upstream, inputGrad, Beta);
}
