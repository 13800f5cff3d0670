using System.Globalization;
using Microsoft.CodeAnalysis;

namespace FastLoss.Generators.Tests;

/// <summary>
/// [ClassLoss] declarations the generator cannot handle are compile-time errors that name what is expected, at the
/// attribute argument that names the kernel type; nothing is generated. Signatures are the compiler's to check: the
/// kernels implement typed interfaces.
/// </summary>
public class ClassLossDiagnosticTests
{
    [Fact]
    public void A_class_that_is_not_static_partial_is_FL5001()
    {
        var diagnostic = SingleError(ClassLossDeclarations.NllWith("public static partial class NllLoss;", "public static class NllLoss { }"), "FL5001");
        Assert.Contains("'NllLoss' declares a class loss, so it must be a static partial class", Message(diagnostic), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pass_without_IClassLossPass_is_FL5002_at_the_kernel_argument()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(BareRows)") + """

            public ref struct BarePass
            {
                public Span<float> EntryLosses;
            }

            public readonly struct BareRows : IIndexTargetRows<BarePass>
            {
                public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref BarePass pass) => 0;
            }
            """;
        var diagnostic = SingleError(source, "FL5002");
        Assert.Equal("The pass type 'BarePass' of 'NllLoss' must implement IClassLossPass<TOptions, BarePass>, which checks the options and builds each pass", Message(diagnostic));
        Assert.Equal("typeof(BareRows)", Located(source, diagnostic));
    }

    [Fact]
    public void A_kernel_type_without_row_interfaces_is_FL5003()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(NoRows)") + """

            public readonly struct NoRows
            {
                public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass) => 0;
            }
            """;
        var diagnostic = SingleError(source, "FL5003");
        Assert.Equal("Kernel type 'NoRows' of 'NllLoss' implements neither IIndexTargetRows<TPass> nor IProbabilityTargetRows<TPass>, so it serves no target kind", Message(diagnostic));
        Assert.Equal("typeof(NoRows)", Located(source, diagnostic));
    }

    [Fact]
    public void Contiguous_kernels_that_miss_a_target_kind_of_the_kernels_are_FL5003_at_ContiguousKernels()
    {
        string source = ClassLossDeclarations.CrossEntropyWith("typeof(CrossEntropyContiguous<,>)", "typeof(IndexOnlyRows)") + """

            internal readonly struct IndexOnlyRows : IIndexTargetRows<CrossEntropyPass>
            {
                public static double IndexTargets(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref CrossEntropyPass pass) => 0;
            }
            """;
        var diagnostic = SingleError(source, "FL5003");
        Assert.Equal("Kernel type 'IndexOnlyRows' of 'CrossEntropy' does not implement IProbabilityTargetRows<CrossEntropyPass>, which the Kernels type CrossEntropyStrided<TL, TV> serves", Message(diagnostic));
        Assert.Equal("ContiguousKernels = typeof(IndexOnlyRows)", Located(source, diagnostic));
    }

    [Fact]
    public void An_open_generic_kernel_type_without_the_lanes_constraint_is_FL5004()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(LooseRows<,>)") + """

            internal readonly struct LooseRows<TL, TV> : IIndexTargetRows<NllPass>, IIndexTargetGradientRows<NllPass>
                where TL : struct
                where TV : struct
            {
                public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass) => 0;

                public static void IndexTargetsGradient(ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass)
                {
                }
            }
            """;
        var diagnostic = SingleError(source, "FL5004");
        Assert.Equal("Kernel type 'LooseRows<TL, TV>' of 'NllLoss' is an open generic type, so it must be generic over exactly <TL, TV> with TL : struct, IFloatLanes<TV> and TV : struct (the generated code picks the vector width)", Message(diagnostic));
        Assert.Equal("typeof(LooseRows<,>)", Located(source, diagnostic));
    }

    [Fact]
    public void A_kernel_type_whose_row_interfaces_take_two_passes_is_FL5004()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(MixedRows)") + """

            internal readonly struct MixedRows : IIndexTargetRows<NllPass>, IProbabilityTargetRows<CrossEntropyPass>
            {
                public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass) => 0;

                public static double ProbabilityTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass) => 0;
            }
            """;
        var diagnostic = SingleError(source, "FL5004");
        Assert.EndsWith("one pass serves all of a loss's kernels", Message(diagnostic), StringComparison.Ordinal);
    }

    [Fact]
    public void A_gradient_that_does_not_read_the_input_beside_probability_targets_is_FL5005()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(BothRows)") + """

            internal readonly struct BothRows : IIndexTargetRows<NllPass>, IIndexTargetGradientRows<NllPass>, IProbabilityTargetRows<NllPass>
            {
                public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass) => 0;

                public static void IndexTargetsGradient(ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass)
                {
                }

                public static double ProbabilityTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<float> targets, scoped ref NllPass pass) => 0;
            }
            """;
        var diagnostic = SingleError(source, "FL5005");
        Assert.Equal("Kernel type 'BothRows' of 'NllLoss' implements IIndexTargetGradientRows<TPass> (a gradient that does not read the input) beside IProbabilityTargetRows<TPass>; such a loss takes class-index targets only", Message(diagnostic));
    }

    [Fact]
    public void An_input_name_that_is_a_keyword_is_FL5006()
    {
        var diagnostic = SingleError(ClassLossDeclarations.NllWith("\"input\",", "\"class\","), "FL5006");
        Assert.Equal("[ClassLoss] on 'NllLoss': the input name \"class\" must be a C# identifier that the generated code does not use itself", Message(diagnostic));
    }

    [Fact]
    public void A_kernel_with_the_wrong_signature_is_the_compilers_error_at_the_kernel_type()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(OddRows)") + """

            internal readonly struct OddRows : IIndexTargetRows<NllPass>
            {
                public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<int> targets, scoped ref NllPass pass) => 0;
            }
            """;
        var (_, output, generatorDiagnostics) = GeneratorHarness.Run(source);
        Assert.Empty(generatorDiagnostics);
        var error = Assert.Single(output.GetDiagnostics(), d => d.Id == "CS0535");
        Assert.Equal("Declarations.cs", error.Location.SourceTree!.FilePath);
        Assert.Equal("IIndexTargetRows<NllPass>", Located(source, error));
        Assert.Contains("IIndexTargetRows<NllPass>.IndexTargets(ReadOnlySpan<float>, ClassLayout, ReadOnlySpan<long>, scoped ref NllPass)", Message(error), StringComparison.Ordinal);
    }

    private static Diagnostic SingleError(string source, string id)
    {
        var (driver, _, diagnostics) = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
        return diagnostic;
    }

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);

    private static string Located(string source, Diagnostic diagnostic) =>
        source.Replace("\r\n", "\n", StringComparison.Ordinal).Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
}
