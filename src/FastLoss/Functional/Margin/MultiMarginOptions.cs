using FastLoss.Generation;

namespace FastLoss.Functional.Margin;

/// <summary>
/// The configuration of <see cref="MultiMargin"/>, as torch's MultiMarginLoss arguments other than the reduction.
/// <c>default</c> is torch's default: p 1, margin 1, no weight.
/// </summary>
public readonly ref struct MultiMarginOptions : IClassLossOptions
{
    private readonly float? _p;
    private readonly float? _margin;

    /// <summary>The power of each hinge, 1 (the default) or 2.</summary>
    public float P
    {
        get => _p ?? 1f;
        init => _p = value;
    }

    /// <summary>The margin a target's score must clear over every other class's (1 unless set).</summary>
    public float Margin
    {
        get => _margin ?? 1f;
        init => _margin = value;
    }

    /// <summary>A weight per class (length C) that scales the loss of the rows of that target, or empty for none.</summary>
    public ReadOnlySpan<float> ClassWeight { get; init; }

    /// <summary>Empty: torch's multi-margin mean is over the rows, not a weighted mean (the class weights scale the loss).</summary>
    ReadOnlySpan<float> IClassLossOptions.Weight => default;

    /// <summary>None: torch's MultiMarginLoss has no ignore index, and its own target check refuses a negative target first.</summary>
    long IClassLossOptions.IgnoreIndex => long.MinValue;
}
