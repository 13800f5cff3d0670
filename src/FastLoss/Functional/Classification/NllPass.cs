using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>What one pass of the NLL kernels reads and writes besides the input and the targets.</summary>
internal ref struct NllPass : IClassLossPass<NllLossOptions, NllPass>
{
    /// <summary>The class weights, or empty for all ones.</summary>
    public ReadOnlySpan<float> Weight;

    /// <summary>Targets equal to this are skipped (loss 0, gradient 0).</summary>
    public long IgnoreIndex;

    /// <summary>The gradient's factor for every entry: upstream / denominator for mean, upstream for sum, 1 for none.</summary>
    public float GradientScale;

    /// <summary>A further factor per entry (the upstream gradient of an unreduced loss), or empty for 1.</summary>
    public ReadOnlySpan<float> EntryUpstream;

    /// <summary>Where the loss of each entry goes, or empty.</summary>
    public Span<float> EntryLosses;

    /// <summary>Where d loss / d input is added (same layout as the input).</summary>
    public Span<float> Gradient;

    public static void CheckOptions(NllLossOptions options, int classes, bool probabilityTargets) =>
        ClassLossArguments.RequireWeight(options.Weight, classes, probabilityTargets);

    public static NllPass Create(
        ClassLayout layout, NllLossOptions options, float gradientScale,
        Span<float> entryLosses, Span<float> gradient, ReadOnlySpan<float> entryUpstream) =>
        new()
        {
            Weight = options.Weight,
            IgnoreIndex = options.IgnoreIndex,
            GradientScale = gradientScale,
            EntryUpstream = entryUpstream,
            EntryLosses = entryLosses,
            Gradient = gradient,
        };
}
