using System.Globalization;

namespace FastLoss.Functional.Classification;

/// <summary>The exceptions of the classification losses, in torch's words.</summary>
internal static class ClassLossErrors
{
    public static ArgumentOutOfRangeException TargetOutOfBounds(long target) =>
        new(null, string.Create(CultureInfo.InvariantCulture, $"Target {target} is out of bounds."));

    public static ArgumentException BatchMismatch(int inputBatch, int targetBatch) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"Expected input batch_size ({inputBatch}) to match target batch_size ({targetBatch})."));

    /// <summary>torch's nll_loss (1-D and 2-D inputs); cross_entropy with probability targets prefixes "cross_entropy: ".</summary>
    public static ArgumentException WeightLength(int classes, ReadOnlySpan<int> weightShape, bool probabilityTargets) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"{(probabilityTargets ? "cross_entropy: " : string.Empty)}weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape: {TensorShape.FormatList(weightShape)}"));

    /// <summary>torch's nll_loss2d, which serves every input of 3 or more dimensions, does not name the sizes; FastLoss adds them.</summary>
    public static ArgumentException SpatialWeightLength(int classes, int weightLength) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"weight tensor should be defined either for all or no classes (the input has C = {classes} classes, the weight {weightLength} values)"));

    public static ArgumentOutOfRangeException LabelSmoothing(float labelSmoothing) =>
        new(null, string.Create(
            CultureInfo.InvariantCulture, $"label_smoothing must be between 0.0 and 1.0. Got: {labelSmoothing}"));

    public static ArgumentException IgnoreIndexWithProbabilities() =>
        new("ignore_index is not supported for floating point target");
}
