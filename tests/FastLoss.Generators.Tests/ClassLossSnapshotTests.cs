using Microsoft.CodeAnalysis;

namespace FastLoss.Generators.Tests;

/// <summary>
/// The generated source of the two class losses, compared with the checked-in snapshots under Snapshots/
/// (FASTLOSS_ACCEPT_SNAPSHOTS=1 rewrites them), and the shape of the API it declares.
/// </summary>
public class ClassLossSnapshotTests
{
    [Fact]
    public void CrossEntropy_matches_its_snapshot() => SnapshotTests.Verify(ClassLossDeclarations.CrossEntropy, "CrossEntropy.g.cs.txt");

    [Fact]
    public void NllLoss_matches_its_snapshot() => SnapshotTests.Verify(ClassLossDeclarations.NllLoss, "NllLoss.g.cs.txt");

    [Fact]
    public void Each_target_kind_gets_the_six_entry_points_and_vectorized_kernels_get_a_width_switch()
    {
        var (driver, output, diagnostics) = GeneratorHarness.Run(ClassLossDeclarations.CrossEntropy);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string generated = GeneratorHarness.GeneratedSource(driver);
        foreach (string targets in new[] { "ReadOnlySpan<long> targets", "ReadOnlySpan<float> targets" })
        {
            string head = $"(ReadOnlySpan<float> logits, ClassLayout layout, {targets}";
            Assert.Contains($"public static float Forward{head}, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean)", generated, StringComparison.Ordinal);
            Assert.Contains($"public static void ForwardNone{head}, Span<float> loss, CrossEntropyOptions options = default)", generated, StringComparison.Ordinal);
            Assert.Contains($"public static void Backward{head}, Span<float> logitsGrad, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean, float upstream = 1f)", generated, StringComparison.Ordinal);
            Assert.Contains($"public static void BackwardNone{head}, ReadOnlySpan<float> upstream, Span<float> logitsGrad, CrossEntropyOptions options = default)", generated, StringComparison.Ordinal);
            Assert.Contains($"public static float ForwardBackward{head}, Span<float> logitsGrad, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean)", generated, StringComparison.Ordinal);
            Assert.Contains($"public static void ForwardBackwardNone{head}, Span<float> loss, Span<float> logitsGrad, CrossEntropyOptions options = default)", generated, StringComparison.Ordinal);
        }

        Assert.Equal(12, CountOf(generated, "[HotPath]"));
        Assert.Contains("LaneWidths.For(layout.Classes) switch", generated, StringComparison.Ordinal);
        Assert.Contains("LaneWidths.For(layout.Inner) switch", generated, StringComparison.Ordinal);
        Assert.Contains("CrossEntropyStrided<Lanes512, Vector512<float>>.ProbabilityTargets(logits, layout, targets, ref pass)", generated, StringComparison.Ordinal);
        Assert.Contains("CrossEntropyContiguous<Lanes1, float>.IndexTargets(logits, layout, targets, ref pass)", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loss_whose_backward_does_not_read_the_input_has_no_width_switch_and_a_backward_without_input()
    {
        var (driver, output, diagnostics) = GeneratorHarness.Run(ClassLossDeclarations.NllLoss);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string generated = GeneratorHarness.GeneratedSource(driver);
        Assert.DoesNotContain("LaneWidths", generated, StringComparison.Ordinal);
        Assert.Contains("public static void Backward(ClassLayout layout, ReadOnlySpan<long> targets, Span<float> inputGrad, NllLossOptions options = default, Reduction reduction = Reduction.Mean, float upstream = 1f)", generated, StringComparison.Ordinal);
        Assert.Contains("internal static void AccumulateGradient(", generated, StringComparison.Ordinal);
        Assert.Contains("NllRows.IndexTargetsGradient(layout, targets, ref pass);", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("ReadOnlySpan<float> targets", generated, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
