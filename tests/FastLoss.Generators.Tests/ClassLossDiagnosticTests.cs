using System.Globalization;
using Microsoft.CodeAnalysis;

namespace FastLoss.Generators.Tests;

/// <summary>[ClassLoss] declarations the generator cannot handle are compile-time errors that name what is expected; nothing is generated.</summary>
public class ClassLossDiagnosticTests
{
    [Fact]
    public void A_class_that_is_not_static_partial_is_FL5001()
    {
        var diagnostic = SingleError(ClassLossDeclarations.NllWith("public static partial class NllLoss", "public static class NllLoss"), "FL5001");
        Assert.Contains("'NllLoss' declares a class loss, so it must be a static partial class", Message(diagnostic), StringComparison.Ordinal);
    }

    [Fact]
    public void An_options_type_without_IgnoreIndex_is_FL5002_at_the_options_argument()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllLossOptions)", "typeof(WeightOnly)") + """

            public readonly ref struct WeightOnly
            {
                public ReadOnlySpan<float> Weight { get; init; }
            }
            """;
        source = source.Replace("CheckOptions(NllLossOptions options", "CheckOptions(WeightOnly options", StringComparison.Ordinal)
            .Replace("ClassLayout layout, NllLossOptions options", "ClassLayout layout, WeightOnly options", StringComparison.Ordinal)
            .Replace("IgnoreIndex = options.IgnoreIndex,", string.Empty, StringComparison.Ordinal);
        var diagnostic = SingleError(source, "FL5002");
        Assert.Equal("Options type 'Demo.WeightOnly' of 'NllLoss' has no IgnoreIndex; the scan of class-index targets reads ReadOnlySpan<float> Weight and long IgnoreIndex", Message(diagnostic));
        Assert.Equal("typeof(WeightOnly)", Located(source, diagnostic));
    }

    [Fact]
    public void A_declared_target_kind_without_its_kernels_is_FL5003_for_each_missing_kernel()
    {
        string source = ClassLossDeclarations.NllWith(
            "StridedKernels = typeof(NllRows),",
            "Targets = ClassTargetKinds.Indices | ClassTargetKinds.Probabilities,\n    StridedKernels = typeof(NllRows),");
        var (driver, _, diagnostics) = GeneratorHarness.Run(source);
        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal(("FL5003", DiagnosticSeverity.Error), (d.Id, d.Severity)));
        Assert.All(diagnostics, d => Assert.Equal("StridedKernels = typeof(NllRows)", Located(source, d)));
        Assert.Equal("'NllLoss' accepts class-probability targets but NllRows has no method 'ProbabilityTargets'", Message(diagnostics[0]));
        Assert.Equal("'NllLoss' accepts class-probability targets but NllRows has no method 'ProbabilityTargetsGradient'", Message(diagnostics[1]));
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void A_vectorized_kernel_without_the_lanes_constraint_is_FL5004_at_the_kernel()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(LooseRows)") + """

            internal static class LooseRows
            {
                public static double IndexTargets<TL, TV>(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass)
                    where TL : struct
                    where TV : struct => 0;

                public static void IndexTargetsGradient(ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass)
                {
                }
            }
            """;
        var diagnostic = SingleError(source, "FL5004");
        string message = Message(diagnostic);
        Assert.StartsWith("Kernel 'LooseRows.IndexTargets' of 'NllLoss' must be static double IndexTargets[<TL, TV>](ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass)", message, StringComparison.Ordinal);
        Assert.EndsWith("a vectorized kernel is generic over exactly <TL, TV> with TL : struct, IFloatLanes<TV> and TV : struct", message, StringComparison.Ordinal);
        Assert.Equal("IndexTargets", Located(source, diagnostic));
    }

    [Fact]
    public void A_gradient_kernel_with_the_wrong_parameters_is_FL5004()
    {
        string source = ClassLossDeclarations.NllWith("typeof(NllRows)", "typeof(OddRows)") + """

            internal static class OddRows
            {
                public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref NllPass pass) => 0;

                public static void IndexTargetsGradient(ClassLayout layout, ReadOnlySpan<int> targets, scoped ref NllPass pass)
                {
                }
            }
            """;
        var diagnostic = SingleError(source, "FL5004");
        Assert.EndsWith("parameter 2 ('targets') is System.ReadOnlySpan<int>", Message(diagnostic), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_options_hook_is_FL5005()
    {
        var diagnostic = SingleError(ClassLossDeclarations.NllWith("CheckOptions = nameof(CheckOptions)", "CheckOptions = \"Validate\""), "FL5005");
        Assert.Equal("CheckOptions hook 'Validate' of 'NllLoss' must be static void Validate(NllLossOptions options, int classes, bool probabilityTargets); NllLoss has no method of that name", Message(diagnostic));
    }

    [Fact]
    public void An_input_name_that_is_a_keyword_is_FL5006()
    {
        var diagnostic = SingleError(ClassLossDeclarations.NllWith("\"input\",", "\"class\","), "FL5006");
        Assert.Equal("[ClassLoss] on 'NllLoss': the input name \"class\" must be a C# identifier that the generated code does not use itself", Message(diagnostic));
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
