using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// The configuration of <see cref="NllLoss"/>, as torch's NLLLoss arguments other than the reduction.
/// <c>default</c> is torch's default: no weight, ignore_index -100.
/// </summary>
public readonly ref struct NllLossOptions : IClassLossOptions
{
    private readonly long? _ignoreIndex;

    /// <summary>A weight per class (length C), or empty for none.</summary>
    public ReadOnlySpan<float> Weight { get; init; }

    /// <summary>Targets equal to this contribute nothing and leave the mean's denominator (-100 unless set).</summary>
    public long IgnoreIndex
    {
        get => _ignoreIndex ?? -100;
        init => _ignoreIndex = value;
    }
}
