using Microsoft.CodeAnalysis;

namespace FastLoss.Generators.Tests;

/// <summary>
/// The declaration language's flags, xlogy, target roles and AllowUnclampedLog: what they generate (two snapshots)
/// and what the generator refuses, as FL diagnostics at the offending code.
/// </summary>
public class DeclarationLanguageTests
{
    public const string KLDivergenceDeclaration = """
        using System;
        using FastLoss.Generation;

        namespace Demo;

        public static partial class KLDivergence
        {
            [ElementwiseLoss]
            private static float PerElement(float x, float y, bool logTarget = false) =>
                logTarget ? MathF.Exp(y) * (y - x) : ElementMath.XLogY(y, y) - (y * x);
        }
        """;

    public const string HingeEmbeddingDeclaration = """
        using System;
        using FastLoss.Generation;

        namespace Demo;

        public static partial class HingeEmbedding
        {
            [ElementwiseLoss(Target = LossTarget.Label)]
            private static float PerElement(float x, float y, float margin = 1f) =>
                (y != 1f ? ElementMath.ClampMin(margin - x, 0f) : 0f) + (y != -1f ? x : 0f);
        }
        """;

    public const string MarginRankingDeclaration = """
        using System;
        using FastLoss.Generation;

        namespace Demo;

        public static partial class MarginRanking
        {
            [ElementwiseLoss(Inputs = 2)]
            private static float PerElement(float input1, float input2, float y, float margin = 0f) =>
                ElementMath.ClampMin((-y * (input1 - input2)) + margin, 0f);
        }
        """;

    public const string CosineEmbeddingDeclaration = """
        using System;
        using FastLoss.Generation;

        namespace Demo;

        public static partial class CosineEmbedding
        {
            [RowwiseLoss(Inputs = 2, Target = LossTarget.Label)]
            private static float PerRow(float input1, float input2, float y, float margin = 0f) =>
                (y == 1f ? 1f - (Row.Sum(input1 * input2) / MathF.Sqrt((Row.Sum(input1 * input1) + 1e-12f) * (Row.Sum(input2 * input2) + 1e-12f))) : 0f)
                + (y == -1f ? ElementMath.ClampMin((Row.Sum(input1 * input2) / MathF.Sqrt((Row.Sum(input1 * input1) + 1e-12f) * (Row.Sum(input2 * input2) + 1e-12f))) - margin, 0f) : 0f);
        }
        """;

    [Fact]
    public void A_row_wise_formula_gets_its_sums_and_the_chain_rule_through_them() =>
        SnapshotTests.Verify(CosineEmbeddingDeclaration, "CosineEmbedding.g.cs.txt");

    [Theory]
    [InlineData("[RowwiseLoss] private static float PerRow(float x, float y) => Row.Sum(x * x) + x;", "the input 'x' is read outside Row.Sum")]
    [InlineData("[RowwiseLoss] private static float PerRow(float x, float y) => y * x;", "the input 'x' is read outside Row.Sum")]
    [InlineData("[RowwiseLoss] private static float PerRow(float x, float y) => Row.Sum(x * y);", "a Row.Sum term is elementwise")]
    [InlineData("[ElementwiseLoss] private static float PerElement(float x, float y) => Row.Sum(x - y);", "only a [RowwiseLoss] declaration has")]
    [InlineData("[RowwiseLoss(WithTarget = false)] private static float PerRow(float x, bool square = false) => Row.Sum(square ? x * x : x);", "no target or flag")]
    public void What_a_row_wise_formula_cannot_say_is_FL1003(string declaration, string reason)
    {
        string source = $$"""
            using System;
            using FastLoss.Generation;

            public static partial class Rows
            {
                {{declaration}}
            }
            """;
        var diagnostic = SingleDiagnostic(source, "FL1003");
        Assert.Contains(reason, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_inputs_get_every_gradient_derived_and_written_in_the_loss_pass() =>
        SnapshotTests.Verify(MarginRankingDeclaration, "MarginRanking.g.cs.txt");

    [Theory]
    [InlineData("Inputs = 0", "", "a loss has 1 to 4 differentiable inputs")]
    [InlineData("Inputs = 2, Derivative = nameof(Gradient)", "", "a loss of several inputs has each gradient derived")]
    [InlineData("Inputs = 2, Weighted = true", "", "a loss of several inputs has each gradient derived, and takes scalar options and flags only")]
    [InlineData("Inputs = 2", ", [PerElement] float factor = 1f", "a loss of several inputs takes scalar options and flags only")]
    public void What_a_loss_of_several_inputs_cannot_take_is_FL1002(string attribute, string extra, string reason)
    {
        string source = $$"""
            using System;
            using FastLoss.Generation;

            public static partial class Ranked
            {
                [ElementwiseLoss({{attribute}})]
                private static float PerElement(float x1, float x2, float y{{extra}}) => MathF.Abs(x1 - x2 - y);

                private static float Gradient(float x1, float x2, float y{{extra}}) => 1f;
            }
            """;
        var diagnostic = SingleDiagnostic(source, "FL1002");
        Assert.Contains(reason, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void A_flag_gets_a_loop_per_value_and_xlogy_its_derivative_rules() =>
        SnapshotTests.Verify(KLDivergenceDeclaration, "KLDivergence.g.cs.txt");

    [Fact]
    public void The_flag_is_decided_before_the_loops_never_per_element()
    {
        var (driver, _, _) = GeneratorHarness.Run(KLDivergenceDeclaration);
        string generated = GeneratorHarness.GeneratedSource(driver);
        // Only the public entry points and their dispatch name the flag; the loops and element functions are specialised.
        foreach (string line in generated.Split('\n'))
        {
            if (line.Contains("logTarget", StringComparison.Ordinal))
            {
                Assert.True(
                    line.Contains("public static", StringComparison.Ordinal) || line.Contains("if (", StringComparison.Ordinal)
                    || line.TrimStart().StartsWith("//", StringComparison.Ordinal) || line.Contains("(options.Flags & 1) != 0", StringComparison.Ordinal),
                    $"the flag reaches a loop: {line.Trim()}");
            }
        }

        Assert.Contains("private static double SumOfWhenLogTarget(", generated, StringComparison.Ordinal);
        Assert.Contains("global::FastLoss.Generation.VectorMath.XLogY(", generated, StringComparison.Ordinal);
    }

    /// <summary>clamp_min's derivative is derived with torch's boundary rule, so the hinge needs no declared gradient.</summary>
    [Fact]
    public void A_label_target_gets_no_target_kernels_and_says_so_to_the_module() =>
        SnapshotTests.Verify(HingeEmbeddingDeclaration, "HingeEmbedding.g.cs.txt");

    [Fact]
    public void A_label_target_generates_no_target_gradient()
    {
        var (driver, _, _) = GeneratorHarness.Run(HingeEmbeddingDeclaration);
        string generated = GeneratorHarness.GeneratedSource(driver);
        Assert.DoesNotContain("TargetBackward", generated, StringComparison.Ordinal);
        Assert.Contains("public static global::FastLoss.Generation.LossTarget Target => global::FastLoss.Generation.LossTarget.Label;", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void A_per_element_flag_is_FL1002_at_the_parameter()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static partial class Flagged
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y, [PerElement] bool mask = false) => mask ? x - y : y - x;
            }
            """;
        var diagnostic = SingleDiagnostic(source, "FL1002");
        Assert.Contains("a flag is one choice for the whole call, not one per element", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("mask", Located(source, diagnostic));
    }

    [Fact]
    public void A_flag_without_a_default_is_FL1002()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static partial class Flagged
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y, bool squared) => squared ? (x - y) * (x - y) : MathF.Abs(x - y);
            }
            """;
        var diagnostic = SingleDiagnostic(source, "FL1002");
        Assert.Contains("a flag needs a default value", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("squared", Located(source, diagnostic));
    }

    [Fact]
    public void A_declared_target_derivative_of_a_label_target_is_FL1005()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static partial class Labelled
            {
                [ElementwiseLoss(Target = LossTarget.Label, TargetDerivative = nameof(TargetGradient))]
                private static float PerElement(float x, float y) => y > 0f ? x : -x;

                private static float TargetGradient(float x, float y) => 0f;
            }
            """;
        var diagnostic = SingleDiagnostic(source, "FL1005");
        Assert.Contains("a target declared LossTarget.Label has no gradient to declare", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclamped_log_is_FL3001_unless_the_declaration_says_torch_takes_it_so()
    {
        const string template = """
            using System;
            using FastLoss.Generation;

            public static partial class Poissonish
            {
                [ElementwiseLoss(ATTRIBUTE)]
                private static float PerElement(float x, float y, float eps = 1e-8f) => x - (y * MathF.Log(x + eps));
            }
            """;
        var (_, _, reported) = GeneratorHarness.Run(template.Replace("ATTRIBUTE", string.Empty, StringComparison.Ordinal));
        var warning = Assert.Single(reported);
        Assert.Equal("FL3001", warning.Id);

        var (driver, output, allowed) = GeneratorHarness.Run(template.Replace("ATTRIBUTE", "AllowUnclampedLog = true", StringComparison.Ordinal));
        Assert.Empty(allowed);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.NotEmpty(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void A_refused_target_compiles_to_a_kernel_that_names_its_role()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static partial class Margin
            {
                [ElementwiseLoss(Target = LossTarget.NotDifferentiable)]
                private static float PerElement(float x, float y) => ElementMath.Log1P(MathF.Exp(-y * x));
            }
            """;
        var (driver, output, diagnostics) = GeneratorHarness.Run(source);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string generated = GeneratorHarness.GeneratedSource(driver);
        Assert.Contains("LossTarget.NotDifferentiable;", generated, StringComparison.Ordinal);
        Assert.Contains("//   the target y has no gradient (LossTarget.NotDifferentiable, as in torch)", generated, StringComparison.Ordinal);
    }

    private static Diagnostic SingleDiagnostic(string source, string id)
    {
        var (driver, _, diagnostics) = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
        return diagnostic;
    }

    private static string Located(string source, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.SourceSpan;
        return source.Substring(span.Start, span.Length);
    }
}
