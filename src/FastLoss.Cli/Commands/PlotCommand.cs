using System.Globalization;
using FastLoss.Cli.Reporting;

namespace FastLoss.Cli.Commands;

/// <summary><c>fastloss plot LOSSES.csv OUTPUT.png [--title TEXT] [--width N] [--height N]</c>: draws a loss curve.</summary>
internal static class PlotCommand
{
    public const string Usage =
        "usage: fastloss plot LOSSES.csv OUTPUT.png [--title TEXT] [--width PIXELS] [--height PIXELS]\n" +
        "  LOSSES.csv: a header naming the x column and each series (e.g. step,train,test), then rows of numbers.";

    /// <summary>Runs the command; returns the process exit code (0 done, 1 failed, 2 bad arguments).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var positional = new List<string>();
        string title = "Loss";
        int width = 800, height = 500;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--title" or "--width" or "--height")
            {
                if (i + 1 >= args.Count)
                {
                    return UsageError(error, $"{arg} needs a value.");
                }

                string value = args[++i];
                if (arg == "--title")
                {
                    title = value;
                }
                else if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int pixels))
                {
                    return UsageError(error, $"{arg} takes a whole number of pixels, got '{value}'.");
                }
                else if (arg == "--width")
                {
                    width = pixels;
                }
                else
                {
                    height = pixels;
                }
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                return UsageError(error, $"unknown option '{arg}'.");
            }
            else
            {
                positional.Add(arg);
            }
        }

        if (positional.Count != 2)
        {
            return UsageError(error, $"expected an input CSV and an output PNG, got {positional.Count} paths.");
        }

        try
        {
            LossTable table = LossTable.Read(positional[0]);
            var plot = new LossCurvePlot(title, table.XLabel, "loss");
            foreach ((string name, List<double> xs, List<double> ys) in table.Series)
            {
                if (xs.Count > 0)
                {
                    plot.AddSeries(name, xs, ys);
                }
            }

            plot.SavePng(positional[1], width, height);
            output.WriteLine($"wrote {Path.GetFullPath(positional[1])} ({plot.SeriesCount} series)");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            error.WriteLine($"fastloss plot: {e.Message}");
            return 1;
        }
    }

    private static int UsageError(TextWriter error, string problem)
    {
        error.WriteLine($"fastloss plot: {problem}");
        error.WriteLine(Usage);
        return 2;
    }
}
