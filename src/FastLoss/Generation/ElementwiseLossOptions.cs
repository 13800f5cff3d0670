namespace FastLoss.Generation;

/// <summary>
/// The options an elementwise loss module passes to its kernel: the loss's scalar option (SmoothL1's beta,
/// Huber's delta; unused by the others) and the per-element weight and pos_weight, already broadcast to the
/// input's shape (empty when absent).
/// </summary>
public readonly ref struct ElementwiseLossOptions
{
    /// <summary>The loss's scalar option.</summary>
    public float Parameter { get; init; }

    /// <summary>The loss's flags (PoissonNLLLoss' log_input and full): bit k is the k-th bool of its declaration.</summary>
    public int Flags { get; init; }

    /// <summary>A weight per element (BCELoss, BCEWithLogitsLoss), or empty.</summary>
    public ReadOnlySpan<float> Weight { get; init; }

    /// <summary>BCEWithLogitsLoss' pos_weight per element, or empty.</summary>
    public ReadOnlySpan<float> PosWeight { get; init; }
}
