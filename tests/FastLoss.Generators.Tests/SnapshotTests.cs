using System.Reflection;
using Microsoft.CodeAnalysis;

namespace FastLoss.Generators.Tests;

/// <summary>
/// The generated source of two losses, compared with the checked-in snapshots under Snapshots/. After an
/// intended change to the emitter, run the tests with FASTLOSS_ACCEPT_SNAPSHOTS=1 to rewrite them, and review the diff.
/// </summary>
public class SnapshotTests
{
    public const string SmoothL1Declaration = """
        using System;
        using FastLoss.Generation;

        namespace Demo;

        public static partial class SmoothL1
        {
            [ElementwiseLoss]
            private static float PerElement(float x, float y, float beta = 1f) =>
                MathF.Abs(x - y) < beta ? 0.5f * (x - y) * (x - y) / beta : MathF.Abs(x - y) - (0.5f * beta);
        }
        """;

    public const string BceDeclaration = """
        using System;
        using FastLoss.Generation;

        namespace Demo;

        public static partial class BinaryCrossEntropy
        {
            [ElementwiseLoss(Weighted = true, InputInUnitInterval = true, Derivative = nameof(Gradient))]
            private static float PerElement(float x, float y) =>
                ((y - 1f) * MathF.Max(ElementMath.Log1P(-x), -100f)) - (y * MathF.Max(MathF.Log(x), -100f));

            private static float Gradient(float x, float y) => (x - y) / MathF.Max((1f - x) * x, 1e-12f);
        }
        """;

    /// <summary>A per-element option tested against its default: the generator decides the branch where it substitutes p = 1.</summary>
    public const string BceWithLogitsDeclaration = """
        using System;
        using FastLoss.Generation;

        namespace Demo;

        public static partial class BinaryCrossEntropyWithLogits
        {
            [ElementwiseLoss(Weighted = true, Derivative = nameof(Gradient))]
            private static float PerElement(float x, float y, [PerElement] float posWeight = 1f) =>
                ((1f - y) * x) + ((1f + ((posWeight - 1f) * y)) * (ElementMath.Log1P(MathF.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f)));

            private static float Gradient(float x, float y, float posWeight) =>
                posWeight == 1f
                    ? ElementMath.Sigmoid(x) - y
                    : ((((posWeight * y) + 1f) - y) * ElementMath.Sigmoid(x)) - (posWeight * y);
        }
        """;

    [Fact]
    public void The_README_declaration_generates_code_that_compiles_without_diagnostics()
    {
        const string readme = """
            using System;
            using FastLoss.Generation;

            namespace FastLoss.Functional;

            public static partial class LogCosh
            {
                [ElementwiseLoss]
                private static float PerElement(float x, float y) => ElementMath.Log1P(MathF.Exp(-2f * MathF.Abs(x - y))) + MathF.Abs(x - y) - 0.6931472f;
            }
            """;
        var (driver, output, diagnostics) = GeneratorHarness.Run(readme);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string generated = GeneratorHarness.GeneratedSource(driver);
        foreach (string method in new[] { "Forward(", "ForwardNone(", "Backward(", "BackwardNone(", "ForwardBackward(" })
        {
            Assert.Contains("public static " + (method.StartsWith("Forward(", StringComparison.Ordinal) || method.StartsWith("ForwardBackward(", StringComparison.Ordinal) ? "float " : "void ") + method, generated, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SmoothL1_matches_its_snapshot() => Verify(SmoothL1Declaration, "SmoothL1.g.cs.txt");

    [Fact]
    public void BinaryCrossEntropy_matches_its_snapshot() => Verify(BceDeclaration, "BinaryCrossEntropy.g.cs.txt");

    [Fact]
    public void A_condition_on_a_substituted_default_is_decided_by_the_generator()
    {
        Verify(BceWithLogitsDeclaration, "BinaryCrossEntropyWithLogits.g.cs.txt");
        var (driver, _, _) = GeneratorHarness.Run(BceWithLogitsDeclaration);
        string generated = GeneratorHarness.GeneratedSource(driver);
        Assert.Contains("private static float ElementGradient(float x, float y)\n    {\n        return (global::FastLoss.Generation.ElementMath.Sigmoid(x) - y);", generated.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    internal static void Verify(string declaration, string snapshotName)
    {
        var (driver, output, diagnostics) = GeneratorHarness.Run(declaration);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

        string generated = GeneratorHarness.GeneratedSource(driver).Replace("\r\n", "\n", StringComparison.Ordinal);
        // Snapshots are read from the copy beside the test assembly: a deterministic CI build maps source paths
        // to /_/, so the test's own file path cannot lead back to them. Accepting writes into the project folder.
        string path = Path.Combine(AppContext.BaseDirectory, "Snapshots", snapshotName);
        if (Environment.GetEnvironmentVariable("FASTLOSS_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(Path.Combine(ProjectDirectory(), "Snapshots", snapshotName), generated);
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"No snapshot at {path}: run with FASTLOSS_ACCEPT_SNAPSHOTS=1 to create it.");
        Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal), generated);
    }

    private static string ProjectDirectory()
    {
        foreach (var attribute in typeof(SnapshotTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key == "ProjectDirectory" && attribute.Value is not null)
            {
                return attribute.Value;
            }
        }

        throw new InvalidOperationException("The test assembly does not name its project directory.");
    }
}
