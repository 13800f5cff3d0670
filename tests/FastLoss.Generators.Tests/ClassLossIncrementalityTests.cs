using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FastLoss.Generators.Tests;

/// <summary>The class-loss pipeline caches its parsed declaration across unrelated edits and reruns when the declaration changes.</summary>
public class ClassLossIncrementalityTests
{
    [Fact]
    public void An_unrelated_edit_keeps_the_pipeline_cached()
    {
        var (driver, _, _) = GeneratorHarness.Run(ClassLossDeclarations.CrossEntropy);
        var compilation = GeneratorHarness.Compile(ClassLossDeclarations.CrossEntropy)
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public static class Unrelated { public static int Answer => 42; }", GeneratorHarness.ParseOptions));

        driver = driver.RunGenerators(compilation);
        var steps = ClassLossSteps(driver);
        Assert.NotEmpty(steps);
        Assert.All(steps, step => Assert.All(step.Outputs, output =>
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step output was {output.Reason}")));
    }

    [Fact]
    public void Editing_the_declaration_reruns_the_pipeline()
    {
        var (driver, _, _) = GeneratorHarness.Run(ClassLossDeclarations.NllLoss);
        var edited = GeneratorHarness.Compile(ClassLossDeclarations.NllWith("\"input\",", "\"scores\","));
        driver = driver.RunGenerators(edited);
        Assert.Contains(ClassLossSteps(driver), step => step.Outputs.Any(output => output.Reason == IncrementalStepRunReason.Modified));
    }

    private static System.Collections.Immutable.ImmutableArray<IncrementalGeneratorRunStep> ClassLossSteps(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single(r => r.Generator.GetGeneratorType() == typeof(ClassLossGenerator)).TrackedSteps[TrackingNames.ClassLosses];
}
