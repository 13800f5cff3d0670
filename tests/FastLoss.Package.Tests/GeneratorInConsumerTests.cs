using System.Globalization;
using System.Text.RegularExpressions;

namespace FastLoss.Package.Tests;

/// <summary>The generator and the analyzers as the package delivers them: in the build of a project that references it.</summary>
[Collection(PackageTestGroup.Name)]
public sealed partial class GeneratorInConsumerTests(PackageWorkspace workspace)
{
    [Fact]
    public void A_loss_declared_in_a_consumer_gives_the_hand_computed_values()
    {
        var printed = Printed(workspace.Consumers.Run(CustomLossProject.Name));

        // x - y = (0, 1, 4), delta = 2: the terms 4 (sqrt(1 + d^2 / 4) - 1) are 0, 4 (sqrt(1.25) - 1) and 4 (sqrt(5) - 1),
        // summing to 5.41640786 (mean 1.80546929); the mean's gradient d / sqrt(1 + d^2 / 4) / 3 is 0,
        // 1 / sqrt(1.25) / 3 and 4 / sqrt(5) / 3.
        float[] gradient = [0f, 0.298142397f, 0.596284794f];
        AssertClose([0f, 0.472135955f, 4.94427191f], printed["none"]);
        AssertClose([5.41640786f], printed["sum"]);
        AssertClose([1.80546929f], printed["mean"]);
        AssertClose(gradient, printed["mean gradient"]);
        AssertClose([1.80546929f], printed["module"]);
        AssertClose(gradient, printed["module gradient"]);
    }

    [Fact]
    public void A_loss_declared_in_a_consumer_matches_float64_at_every_vector_width_and_the_tail()
    {
        var printed = Printed(workspace.Consumers.Run(CustomLossProject.Name));
        float[] x = printed["long x"], y = printed["long y"];
        Assert.Equal(CustomLossProject.LongLength, x.Length);

        // delta = 1 (the default): terms sqrt(1 + d^2) - 1, the mean's gradient d / sqrt(1 + d^2) / n.
        int n = x.Length;
        double[] d = [.. x.Zip(y, (a, b) => (double)a - b)];
        AssertClose([(float)(d.Sum(t => Math.Sqrt(1 + (t * t)) - 1) / n)], printed["long fused"]);
        AssertClose([.. d.Select(t => (float)(t / Math.Sqrt(1 + (t * t)) / n))], printed["long fused gradient"]);
    }

    [Fact]
    public void A_class_loss_declared_in_a_consumer_over_its_own_kernels_gives_the_hand_computed_values()
    {
        ProcessResult run = workspace.Consumers.Run(CustomLossProject.Name);
        var printed = Printed(run);

        // p = (0.7, 0.2, 0.1) with y = 0: 0.3^2 + 0.2^2 + 0.1^2 = 0.14; p = (0.1, 0.5, 0.4) with y = 2: 0.01 + 0.25 + 0.36 = 0.62.
        AssertClose([0.14f, 0.62f], printed["brier none"]);
        AssertClose([0.38f], printed["brier mean"]);
        AssertClose([0.38f], printed["brier fused"]);
        AssertClose([-0.3f, 0.2f, 0.1f, 0.1f, 0.5f, -0.6f], printed["brier gradient"]);

        // Weights 2 and 0.5 at the targets: the weighted mean (2 * 0.14 + 0.5 * 0.62) / 2.5.
        AssertClose([0.236f], printed["brier weighted"]);

        // The second target is ignored: the mean of the first entry alone.
        AssertClose([0.14f], printed["brier ignored"]);

        // The same rows with the classes strided (inner size 2) take the scalar kernel and give the same numbers.
        AssertClose([0.38f], printed["brier strided"]);
        AssertClose([-0.3f, 0.1f, 0.2f, 0.5f, 0.1f, -0.6f], printed["brier strided gradient"]);
        Assert.Contains("brier refused: Target 3 is out of bounds.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_consumers_vectorized_class_kernel_matches_float64_over_whole_vectors_and_the_scalar_tail()
    {
        var printed = Printed(workspace.Consumers.Run(CustomLossProject.Name));
        float[] p = printed["brier long p"], labels = printed["brier long labels"];
        int classes = CustomLossProject.LongLength;
        Assert.Equal(CustomLossProject.LongRows * classes, p.Length);

        double sum = 0;
        var gradient = new float[p.Length];
        for (int n = 0; n < labels.Length; n++)
        {
            int y = (int)labels[n];
            for (int c = 0; c < classes; c++)
            {
                double d = p[(n * classes) + c] - (c == y ? 1.0 : 0.0);
                sum += d * d;
                gradient[(n * classes) + c] = (float)(2 * d);
            }
        }

        AssertClose([(float)sum], printed["brier long sum"]);
        AssertClose(gradient, printed["brier long gradient"]);
    }

    [Fact]
    public void Declarations_the_generator_and_the_analyzer_refuse_fail_the_consumer_build_with_FL1003_and_FL4001()
    {
        ProcessResult build = workspace.RefusedConsumer.Result;
        Assert.True(build.ExitCode != 0, build.ToString());

        // MSBuild reports each error twice (as it happens and in the summary).
        var errors = CompilerError().Matches(build.Output).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                ErrorAt(RefusedDeclarationsProject.Underivable, "MathF.Floor(x - y)", "FL1003"),
                ErrorAt(RefusedDeclarationsProject.Allocating, "new float[n]", "FL4001"),
            ],
            errors);
    }

    /// <summary>"File(line,column): error ID", where the text first occurs in the file.</summary>
    private static string ErrorAt(SourceFile file, string text, string id)
    {
        string before = file.Text[..file.Text.IndexOf(text, StringComparison.Ordinal)];
        int line = before.Count(c => c == '\n') + 1;
        int column = before.Length - (before.LastIndexOf('\n') + 1) + 1;
        return $"{file.Name}({line},{column}): error {id}";
    }

    /// <summary>The consumer's "name: values" lines.</summary>
    private static Dictionary<string, float[]> Printed(ProcessResult run) =>
        run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(": "))
            .Where(p => !p[0].EndsWith("refused", StringComparison.Ordinal))
            .ToDictionary(p => p[0], p => p[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])),
                $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [GeneratedRegex(@"[\w.]+\.cs\(\d+,\d+\): error \w+")]
    private static partial Regex CompilerError();
}
