using Microsoft.CodeAnalysis;

namespace FastLoss.Generators.Tests;

/// <summary>Declarations the generator cannot handle are compile-time diagnostics at the offending code.</summary>
public class DiagnosticTests
{
    [Fact]
    public void A_function_without_a_derivative_rule_is_FL1003_at_that_call()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static partial class Rounded
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y) => (x - y) * MathF.Floor(x - y);
            }
            """;
        var (driver, _, diagnostics) = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("FL1003", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(6, span.StartLinePosition.Line);
        Assert.Equal("MathF.Floor(x - y)", source.Split('\n')[6].Substring(span.StartLinePosition.Character, span.EndLinePosition.Character - span.StartLinePosition.Character));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith("'MathF.Floor(x - y)' cannot be differentiated by the FastLoss generator: 'MathF.Floor' has no derivative rule.", message, StringComparison.Ordinal);
        Assert.Contains("Supported: + - * /", message, StringComparison.Ordinal);
        Assert.Empty(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void A_block_body_is_FL1001()
    {
        const string source = """
            using FastLoss.Generation;

            public static partial class Blocky
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y) { return x - y; }
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("FL1001", diagnostic.Id);
        Assert.Contains("block body", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_that_is_not_static_partial_is_FL1004()
    {
        const string source = """
            using FastLoss.Generation;

            public static class Closed
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y) => x - y;
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.Run(source);
        Assert.Equal("FL1004", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void An_unknown_identifier_and_an_assignment_are_each_reported_where_they_are()
    {
        const string source = """
            using FastLoss.Generation;

            public static partial class Broken
            {
                private static float scale = 2f;

                [ElementwiseLoss]
                private static float PerElement(float x, float y) => (x - y) * scale + (y = 3f);
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.Run(source);
        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("FL1003", d.Id));
        Assert.Contains(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'scale' is not a parameter", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("an assignment", StringComparison.Ordinal));
    }

    [Fact]
    public void A_function_with_no_vector_form_falls_back_to_scalar_code_with_FL2001()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static partial class TanhActivation
            {
                [ElementwiseActivation]
                private static float PerElement(float x) => MathF.Tanh(x);
            }
            """;
        var (driver, output, diagnostics) = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("FL2001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        string generated = GeneratorHarness.GeneratedSource(driver);
        Assert.DoesNotContain("Vector512", generated, StringComparison.Ordinal);
        Assert.Contains("var t0 = MathF.Tanh(x);", generated, StringComparison.Ordinal);
        Assert.Contains("return (1f - (t0 * t0));", generated, StringComparison.Ordinal); // d tanh = 1 - tanh^2, tanh computed once
    }

    [Fact]
    public void An_unclamped_logarithm_is_FL3001()
    {
        const string source = """
            using System;
            using FastLoss.Generation;

            public static partial class NaiveLog
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y) => -y * MathF.Log(x);
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("FL3001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
    }

    [Fact]
    public void A_missing_explicit_derivative_is_FL1005()
    {
        const string source = """
            using FastLoss.Generation;

            public static partial class MissingDerivative
            {
                [ElementwiseLoss(Derivative = "Nowhere")]
                private static float PerElement(float x, float y) => x - y;
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("FL1005", diagnostic.Id);
        Assert.Contains("no method of that name", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
