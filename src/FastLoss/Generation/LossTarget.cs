namespace FastLoss.Generation;

/// <summary>What an elementwise loss's target is to autograd, as torch defines it for that loss.</summary>
public enum LossTarget
{
    /// <summary>A float target that requires grad gets its gradient (MSELoss, KLDivLoss, PoissonNLLLoss).</summary>
    Differentiable,

    /// <summary>
    /// The target only selects a branch (HingeEmbeddingLoss' ±1 labels): no gradient flows to it, so its grad stays
    /// unset, as torch's composite losses leave it.
    /// </summary>
    Label,

    /// <summary>
    /// torch refuses a target that requires grad (SoftMarginLoss): "The function '...' is not differentiable with
    /// respect to argument 'target'". No target gradient is generated.
    /// </summary>
    NotDifferentiable,
}
