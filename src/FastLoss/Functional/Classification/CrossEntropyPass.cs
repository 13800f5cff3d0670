using System.Numerics.Tensors;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// What one pass of the cross-entropy kernels reads and writes besides logits and targets. The loss of every
/// entry is always computed (its sum is returned); the per-entry losses and the gradient are written only when
/// their spans are non-empty, so forward, backward and the fused pass share one kernel.
/// </summary>
internal ref struct CrossEntropyPass : IClassLossPass<CrossEntropyOptions, CrossEntropyPass>
{
    /// <summary>The class weights, or empty for all ones.</summary>
    public ReadOnlySpan<float> Weight;

    /// <summary>The sum of the class weights (C without weights): the smoothing term's weight of log(sum exp).</summary>
    public float WeightTotal;

    /// <summary>Label smoothing eps.</summary>
    public float Smoothing;

    /// <summary>Index targets equal to this are skipped (loss 0, gradient 0).</summary>
    public long IgnoreIndex;

    /// <summary>The gradient's factor for every entry: upstream / denominator for mean, upstream for sum, 1 for none.</summary>
    public float GradientScale;

    /// <summary>A further factor per entry (the upstream gradient of an unreduced loss), or empty for 1.</summary>
    public ReadOnlySpan<float> EntryUpstream;

    /// <summary>Where the loss of each entry goes, or empty.</summary>
    public Span<float> EntryLosses;

    /// <summary>Where d loss / d logits goes (same layout as the logits), or empty for a forward-only pass.</summary>
    public Span<float> Gradient;

    /// <summary>Whether the whole gradient is large enough to be written with streaming stores (<see cref="StreamedGradientRows"/>).</summary>
    public bool StreamGradient;

    /// <summary>The checks of the options against the class count, in torch's words.</summary>
    public static void CheckOptions(CrossEntropyOptions options, int classes, bool probabilityTargets)
    {
        RequireLabelSmoothing(options.LabelSmoothing);
        ClassLossArguments.RequireWeight(options.Weight, classes, probabilityTargets);
        if (probabilityTargets && options.IgnoreIndex >= 0)
        {
            throw ClassLossErrors.IgnoreIndexWithProbabilities();
        }
    }

    public static CrossEntropyPass Create(
        ClassLayout layout, CrossEntropyOptions options, float gradientScale,
        Span<float> entryLosses, Span<float> gradient, ReadOnlySpan<float> entryUpstream) =>
        new()
        {
            Weight = options.Weight,
            WeightTotal = options.Weight.IsEmpty ? layout.Classes : TensorPrimitives.Sum(options.Weight),
            Smoothing = options.LabelSmoothing,
            IgnoreIndex = options.IgnoreIndex,
            GradientScale = gradientScale,
            EntryUpstream = entryUpstream,
            EntryLosses = entryLosses,
            Gradient = gradient,
            StreamGradient = StreamedGradientRows.Worthwhile(gradient.Length),
        };

    /// <summary>torch accepts label smoothing in [0, 1]; a negative or NaN value is refused here too.</summary>
    public static void RequireLabelSmoothing(float labelSmoothing)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            throw ClassLossErrors.LabelSmoothing(labelSmoothing);
        }
    }
}
