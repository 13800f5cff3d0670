using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// The configuration of <see cref="CrossEntropy"/>, as torch's CrossEntropyLoss arguments other than the
/// reduction. <c>default</c> is torch's default: no weight, ignore_index -100, no label smoothing.
/// </summary>
public readonly ref struct CrossEntropyOptions : IClassLossOptions
{
    private readonly long? _ignoreIndex;

    /// <summary>A weight per class (length C), or empty for none.</summary>
    public ReadOnlySpan<float> Weight { get; init; }

    /// <summary>Class-index targets equal to this contribute nothing and leave the mean's denominator (-100 unless set); must be negative for probability targets.</summary>
    public long IgnoreIndex
    {
        get => _ignoreIndex ?? -100;
        init => _ignoreIndex = value;
    }

    /// <summary>eps in [0, 1]: the target becomes (1 - eps) * target + eps / C.</summary>
    public float LabelSmoothing { get; init; }
}
