namespace FastLoss.Functional;

/// <summary>
/// The options of <see cref="CrossEntropy"/>, as torch's CrossEntropyLoss arguments. Create it with
/// <c>new CrossEntropyOptions { ... }</c>: the parameterless constructor sets torch's defaults
/// (ignore_index -100, mean reduction), which <c>default(CrossEntropyOptions)</c> would not.
/// </summary>
public readonly ref struct CrossEntropyOptions
{
    /// <summary>Torch's defaults: no weight, ignore_index -100, mean reduction, no label smoothing.</summary>
    public CrossEntropyOptions()
    {
        IgnoreIndex = -100;
        Reduction = Reduction.Mean;
    }

    /// <summary>A weight per class (length C), or empty for none.</summary>
    public ReadOnlySpan<float> Weight { get; init; }

    /// <summary>Class-index targets equal to this contribute nothing and leave the mean's denominator; must be negative for probability targets.</summary>
    public long IgnoreIndex { get; init; }

    public Reduction Reduction { get; init; }

    /// <summary>eps in [0, 1]: the target becomes (1 - eps) * target + eps / C.</summary>
    public float LabelSmoothing { get; init; }
}
