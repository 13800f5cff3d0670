using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FastLoss.Generators.Tests;

/// <summary>An edit elsewhere in the compilation leaves the parsed declaration cached: nothing is re-emitted.</summary>
public class IncrementalityTests
{
    [Fact]
    public void An_unrelated_edit_keeps_the_pipeline_cached()
    {
        var (driver, _, _) = GeneratorHarness.Run(SnapshotTests.SmoothL1Declaration);
        var compilation = GeneratorHarness.Compile(SnapshotTests.SmoothL1Declaration)
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions));

        driver = driver.RunGenerators(compilation);
        var steps = driver.GetRunResult().Results[0].TrackedSteps[TrackingNames.Losses];
        Assert.All(steps, step => Assert.All(step.Outputs, output =>
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step output was {output.Reason}")));
    }

    [Fact]
    public void Editing_the_formula_reruns_the_pipeline()
    {
        var (driver, _, _) = GeneratorHarness.Run(SnapshotTests.SmoothL1Declaration);
        var edited = GeneratorHarness.Compile(SnapshotTests.SmoothL1Declaration.Replace("0.5f * beta", "0.25f * beta", StringComparison.Ordinal));
        driver = driver.RunGenerators(edited);
        var steps = driver.GetRunResult().Results[0].TrackedSteps[TrackingNames.Losses];
        Assert.Contains(steps, step => step.Outputs.Any(output => output.Reason == IncrementalStepRunReason.Modified));
    }
}
