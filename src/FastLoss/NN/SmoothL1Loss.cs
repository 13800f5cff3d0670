using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.SmoothL1Loss(beta): quadratic below beta, linear above; beta = 0 is L1Loss.</summary>
public sealed class SmoothL1Loss : ElementwiseLoss<SmoothL1.Kernel>
{
    public SmoothL1Loss(Reduction reduction = Reduction.Mean, float beta = 1f)
        : base(reduction, LossOptions.RequireBeta(beta))
    {
        Beta = beta;
    }

    /// <summary>Where the loss turns from quadratic to linear; 0 makes it L1.</summary>
    public float Beta { get; }
}
