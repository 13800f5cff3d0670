using FastLoss.Cli.Tests.Support;
using FastLoss.Tests.Shared;

namespace FastLoss.Cli.Tests.Commands;

/// <summary><c>fastloss plot</c>: a CSV of losses in, a PNG out, and clear messages for bad input.</summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fastloss-cli-tests-" + Guid.NewGuid().ToString("N"));

    public PlotCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        CliResult result = CliRun.Run([.. (string[])["plot"], .. args]);
        return (result.ExitCode, result.Output, result.Error);
    }

    private string Csv(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Plots_a_csv_of_losses_to_a_png()
    {
        string csv = Csv("losses.csv", "epoch,train,test\n1,2.1,2.2\n2,1.7,\n3,1.5,1.6\n\n4,1.4,1.55\n");
        string png = Path.Combine(_folder, "out", "loss.png");

        var (code, output, error) = Run(csv, png, "--title", "seed CNN", "--width", "480", "--height", "320");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains($"wrote {png} (2 series)", output, StringComparison.Ordinal);
        Assert.Equal((480, 320), PngHeader.Read(png));
    }

    [Fact]
    public void Bad_csv_names_the_file_line_and_column()
    {
        string csv = Csv("bad.csv", "step,loss\n0,2.3\n1,abc\n");

        var (code, _, error) = Run(csv, Path.Combine(_folder, "x.png"));

        Assert.Equal(1, code);
        Assert.Contains($"'{csv}' line 3, column 'loss': 'abc' is not a number.", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "x.png")));
    }

    [Fact]
    public void Csv_problems_are_reported()
    {
        Assert.Contains("the header must name the x column and at least one series",
            Run(Csv("h.csv", "step\n1\n"), Path.Combine(_folder, "x.png")).Error, StringComparison.Ordinal);
        Assert.Contains("line 2: 3 cells, but the header has 2 columns",
            Run(Csv("c.csv", "step,loss\n1,2,3\n"), Path.Combine(_folder, "x.png")).Error, StringComparison.Ordinal);
        Assert.Contains("is empty: expected a header",
            Run(Csv("e.csv", ""), Path.Combine(_folder, "x.png")).Error, StringComparison.Ordinal);
        Assert.Contains("no series to plot",
            Run(Csv("n.csv", "step,loss\n"), Path.Combine(_folder, "x.png")).Error, StringComparison.Ordinal);
        Assert.Contains("Could not find file",
            Run(Path.Combine(_folder, "absent.csv"), Path.Combine(_folder, "x.png")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_point_to_the_help_and_exit_with_2()
    {
        var missing = Run("only-one.csv");
        var unknown = Run("a.csv", "b.png", "--colour", "red");
        var width = Run("a.csv", "b.png", "--width", "wide");
        var small = Run("a.csv", "b.png", "--height", "20");

        Assert.Equal(2, missing.Code);
        Assert.Contains("fastloss: Required argument missing for command: 'plot'", missing.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'fastloss plot --help' for usage.", missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("Unrecognized command or argument '--colour'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, width.Code);
        Assert.Contains("--width must be a whole number from 100 to 10000, got 'wide'.", width.Error, StringComparison.Ordinal);
        Assert.Equal(2, small.Code);
        Assert.Contains("--height must be a whole number from 100 to 10000, got '20'.", small.Error, StringComparison.Ordinal);
    }
}
