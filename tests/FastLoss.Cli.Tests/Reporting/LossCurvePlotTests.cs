using FastLoss.Cli.Reporting;
using FastLoss.Tests.Shared;

namespace FastLoss.Cli.Tests.Reporting;

/// <summary>Loss curves rendered to PNG: a real image of the requested size with the curves drawn in it.</summary>
public sealed class LossCurvePlotTests : IDisposable
{
    // ScottPlot's default palette (category10): the first series is blue, the second orange.
    private const byte BlueR = 0x1F, BlueG = 0x77, BlueB = 0xB4;
    private const byte OrangeR = 0xFF, OrangeG = 0x7F, OrangeB = 0x0E;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fastloss-cli-tests-" + Guid.NewGuid().ToString("N"));

    public LossCurvePlotTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (double[] Steps, double[] Losses) Decaying(int points, double start, double floor)
    {
        var steps = new double[points];
        var losses = new double[points];
        for (int i = 0; i < points; i++)
        {
            steps[i] = i * 10;
            losses[i] = floor + ((start - floor) * Math.Exp(-i / (points / 4.0)));
        }

        return (steps, losses);
    }

    [Fact]
    public void Renders_a_png_of_the_requested_size_with_the_curve_in_it()
    {
        string path = Path.Combine(_folder, "loss.png");
        var plot = new LossCurvePlot("CIFAR-10 training loss");
        (double[] steps, double[] losses) = Decaying(400, 2.3, 0.9);
        plot.AddSeries("train", steps, losses);

        plot.SavePng(path, 640, 400);

        Assert.Equal((640, 400), PngHeader.Read(path));
        // A 400-point curve drawn 2 pixels wide across most of the width leaves hundreds of blue pixels.
        Assert.True(PngFile.CountPixels(path, BlueR, BlueG, BlueB) > 500, "the curve is not drawn");
        Assert.Equal(0, PngFile.CountPixels(path, OrangeR, OrangeG, OrangeB, tolerance: 10));
        Assert.Equal(["loss.png"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Two_series_are_drawn_in_two_colours()
    {
        string path = Path.Combine(_folder, "curves.png");
        var plot = new LossCurvePlot("Loss", "epoch");
        (double[] steps, double[] train) = Decaying(30, 2.3, 1.0);
        (_, double[] test) = Decaying(30, 2.2, 1.2);
        plot.AddSeries("train", steps, train);
        plot.AddSeries("test", steps, test);

        plot.SavePng(path);

        Assert.Equal((800, 500), PngHeader.Read(path));
        Assert.True(PngFile.CountPixels(path, BlueR, BlueG, BlueB) > 300);
        Assert.True(PngFile.CountPixels(path, OrangeR, OrangeG, OrangeB) > 300);
    }

    [Fact]
    public void Non_finite_points_are_left_out_and_the_rest_is_drawn()
    {
        string path = Path.Combine(_folder, "diverged.png");
        var plot = new LossCurvePlot();
        plot.AddSeries("train", [0, 1, 2, 3, 4], [2.3, 2.0, double.NaN, double.PositiveInfinity, 1.8]);

        plot.SavePng(path, 300, 200);

        Assert.Equal((300, 200), PngHeader.Read(path));
        Assert.True(PngFile.CountPixels(path, BlueR, BlueG, BlueB) > 50);
    }

    [Fact]
    public void Bad_input_is_refused_before_anything_is_written()
    {
        var plot = new LossCurvePlot();
        string path = Path.Combine(_folder, "none.png");

        var empty = Assert.Throws<InvalidOperationException>(() => plot.SavePng(path));
        var lengths = Assert.Throws<ArgumentException>(() => plot.AddSeries("train", [0, 1], [1.0]));
        var allNaN = Assert.Throws<ArgumentException>(() => plot.AddSeries("train", [0, 1], [double.NaN, double.NaN]));
        plot.AddSeries("train", [0, 1], [2.0, 1.0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => plot.SavePng(path, 10, 10));

        Assert.Contains("no series to plot", empty.Message, StringComparison.Ordinal);
        Assert.Contains("Series 'train' has 2 x values but 1 y values.", lengths.Message, StringComparison.Ordinal);
        Assert.Contains("Series 'train' has no point with a finite x and y (2 points given).", allNaN.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }
}
