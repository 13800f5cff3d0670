using System.Globalization;
using FastLoss.Generation;

namespace FastLoss.Functional.Margin;

/// <summary>What one pass of <see cref="MultiMarginRows"/> reads and writes besides the scores and the targets.</summary>
internal ref struct MultiMarginPass : IClassLossPass<MultiMarginOptions, MultiMarginPass>
{
    public bool Squared;
    public float Margin;

    /// <summary>The class weights, or empty for all ones.</summary>
    public ReadOnlySpan<float> Weight;

    /// <summary>The gradient's factor for every row: upstream / N for mean, upstream for sum, 1 for none.</summary>
    public float GradientScale;

    /// <summary>A further factor per row (the upstream gradient of an unreduced loss), or empty for 1.</summary>
    public ReadOnlySpan<float> EntryUpstream;

    /// <summary>Where the loss of each row goes, or empty.</summary>
    public Span<float> EntryLosses;

    /// <summary>Where d loss / d input goes (=), or empty for a forward-only pass.</summary>
    public Span<float> Gradient;

    /// <summary>torch's checks of p and the weight, in its words.</summary>
    public static void CheckOptions(MultiMarginOptions options, int classes, bool probabilityTargets)
    {
        if (options.P is not (1f or 2f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "only p == 1 and p == 2 supported");
        }

        if (!options.ClassWeight.IsEmpty && options.ClassWeight.Length != classes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"inconsistent weight size, expected {classes} but got [{options.ClassWeight.Length}]"), nameof(options));
        }
    }

    /// <summary>torch's "target out of range", before the generated scan.</summary>
    public static void CheckIndexTargets(ReadOnlySpan<long> targets, int classes)
    {
        foreach (long y in targets)
        {
            if (y < 0 || y >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), string.Create(CultureInfo.InvariantCulture, $"target out of range (target {y}, classes {classes})"));
            }
        }
    }

    public static MultiMarginPass Create(
        ClassLayout layout, MultiMarginOptions options, float gradientScale,
        Span<float> entryLosses, Span<float> gradient, ReadOnlySpan<float> entryUpstream) =>
        new()
        {
            Squared = options.P == 2f,
            Margin = options.Margin,
            Weight = options.ClassWeight,
            GradientScale = gradientScale,
            EntryUpstream = entryUpstream,
            EntryLosses = entryLosses,
            Gradient = gradient,
        };
}
