using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.HuberLoss(delta): quadratic below delta, then linear with slope delta.</summary>
public sealed class HuberLoss : ElementwiseLoss<Huber.Kernel>
{
    public HuberLoss(Reduction reduction = Reduction.Mean, float delta = 1f)
        : base(reduction, LossOptions.RequireDelta(delta))
    {
        Delta = delta;
    }

    /// <summary>Where the loss turns from quadratic to linear with slope delta.</summary>
    public float Delta { get; }
}
