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
