namespace FastLoss.Generators.Tests;

/// <summary>
/// [ClassLoss] declarations as they stand in the runtime (CrossEntropy, NllLoss), compiled in namespace Demo against
/// the runtime's internal kernels, and helpers to build variants of them.
/// </summary>
internal static class ClassLossDeclarations
{
    public const string CrossEntropy = """
        using System;
        using System.Numerics.Tensors;
        using FastLoss.Functional;
        using FastLoss.Functional.Classification;
        using FastLoss.Generation;

        namespace Demo;

        [ClassLoss(
            "logits",
            typeof(CrossEntropyOptions),
            Targets = ClassTargetKinds.Indices | ClassTargetKinds.Probabilities,
            ContiguousKernels = typeof(CrossEntropyContiguous),
            StridedKernels = typeof(CrossEntropyStrided),
            CheckOptions = nameof(CheckOptions),
            NewPass = nameof(NewPass))]
        public static partial class CrossEntropy
        {
            internal static void CheckOptions(CrossEntropyOptions options, int classes, bool probabilityTargets)
            {
                SpanArguments.RequireLabelSmoothing(options.LabelSmoothing);
                SpanArguments.RequireWeight(options.Weight, classes, probabilityTargets);
            }

            private static CrossEntropyPass NewPass(
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
                };
        }
        """;

    public const string NllLoss = """
        using System;
        using FastLoss.Functional;
        using FastLoss.Functional.Classification;
        using FastLoss.Generation;

        namespace Demo;

        [ClassLoss(
            "input",
            typeof(NllLossOptions),
            StridedKernels = typeof(NllRows),
            BackwardReadsInput = false,
            CheckOptions = nameof(CheckOptions),
            NewPass = nameof(NewPass))]
        public static partial class NllLoss
        {
            private static void CheckOptions(NllLossOptions options, int classes, bool probabilityTargets) =>
                SpanArguments.RequireWeight(options.Weight, classes, probabilityTargets);

            private static NllPass NewPass(
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
        """;

    /// <summary>The NLL declaration with one piece of text replaced (the replaced text must occur).</summary>
    public static string NllWith(string original, string replacement)
    {
        Assert.Contains(original, NllLoss, StringComparison.Ordinal);
        return NllLoss.Replace(original, replacement, StringComparison.Ordinal);
    }
}
