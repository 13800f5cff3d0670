namespace FastLoss.Functional;

/// <summary>
/// The options of <see cref="NllLoss"/>, as torch's NLLLoss arguments. Create it with
/// <c>new NllLossOptions { ... }</c>: the parameterless constructor sets torch's defaults
/// (ignore_index -100, mean reduction), which <c>default(NllLossOptions)</c> would not.
/// </summary>
public readonly ref struct NllLossOptions
{
    /// <summary>Torch's defaults: no weight, ignore_index -100, mean reduction.</summary>
    public NllLossOptions()
    {
        IgnoreIndex = -100;
        Reduction = Reduction.Mean;
    }

    /// <summary>A weight per class (length C), or empty for none.</summary>
    public ReadOnlySpan<float> Weight { get; init; }

    /// <summary>Targets equal to this contribute nothing and leave the mean's denominator.</summary>
    public long IgnoreIndex { get; init; }

    public Reduction Reduction { get; init; }
}
