namespace FastLoss.Generators.Tests;

/// <summary>
/// [ClassLoss] declarations as they stand in the runtime (CrossEntropy, NllLoss), compiled in namespace Demo against
/// the runtime's internal kernels and passes, and helpers to build variants of them.
/// </summary>
internal static class ClassLossDeclarations
{
    public const string CrossEntropy = """
        using System;
        using FastLoss.Functional;
        using FastLoss.Functional.Classification;
        using FastLoss.Generation;

        namespace Demo;

        [ClassLoss("logits", typeof(CrossEntropyStrided<,>), ContiguousKernels = typeof(CrossEntropyContiguous<,>))]
        public static partial class CrossEntropy;
        """;

    public const string NllLoss = """
        using System;
        using FastLoss.Functional;
        using FastLoss.Functional.Classification;
        using FastLoss.Generation;

        namespace Demo;

        [ClassLoss("input", typeof(NllRows))]
        public static partial class NllLoss;
        """;

    /// <summary>The NLL declaration with one piece of text replaced (the replaced text must occur).</summary>
    public static string NllWith(string original, string replacement) => With(NllLoss, original, replacement);

    /// <summary>The cross-entropy declaration with one piece of text replaced (the replaced text must occur).</summary>
    public static string CrossEntropyWith(string original, string replacement) => With(CrossEntropy, original, replacement);

    private static string With(string declaration, string original, string replacement)
    {
        Assert.Contains(original, declaration, StringComparison.Ordinal);
        return declaration.Replace(original, replacement, StringComparison.Ordinal);
    }
}
