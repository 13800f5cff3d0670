namespace FastLoss.Generation;

/// <summary>
/// What the generated scan of class-index targets reads from a class loss's options: torch's <c>weight</c> and
/// <c>ignore_index</c>. The options type is the last, defaulted parameter of every generated entry point.
/// </summary>
public interface IClassLossOptions
{
    /// <summary>A weight per class (length C), or empty for none: the weighted mean divides by the kept targets' weights.</summary>
    ReadOnlySpan<float> Weight { get; }

    /// <summary>Targets equal to this are skipped by the scan and leave the mean's denominator.</summary>
    long IgnoreIndex { get; }
}
