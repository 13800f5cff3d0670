using System.CommandLine;
using FastLoss.Cli.Reporting;

namespace FastLoss.Cli.Commands;

/// <summary><c>fastloss plot LOSSES.csv OUTPUT.png [--title TEXT] [--width N] [--height N]</c>: draws a loss curve.</summary>
internal static class PlotCommand
{
    public static Command Create(CliConsole console)
    {
        Argument<string> csv = new("LOSSES.csv")
        {
            Description = "A header naming the x column and each series (e.g. step,train,test), then rows of numbers; an empty cell skips a point.",
        };
        Argument<string> png = new("OUTPUT.png") { Description = "The image to write." };
        Option<string> title = new("--title") { Description = "The plot's title.", HelpName = "TEXT", DefaultValueFactory = _ => "Loss" };
        Option<int> width = SharedOptions.AtLeast(new Option<int>("--width")
        {
            Description = "Image width in pixels.",
            HelpName = "PIXELS",
            DefaultValueFactory = _ => 800,
        }, 100, 10_000);
        Option<int> height = SharedOptions.AtLeast(new Option<int>("--height")
        {
            Description = "Image height in pixels.",
            HelpName = "PIXELS",
            DefaultValueFactory = _ => 500,
        }, 100, 10_000);
        var command = new Command("plot", "Draw a loss curve from a CSV of losses (such as the losses.csv of a training run) to a PNG.")
        {
            csv, png, title, width, height,
        };
        command.SetAction(parse => CommandAction.Run(console, "plot", () =>
        {
            string output = parse.GetValue(png)!;
            LossTable table = LossTable.Read(parse.GetValue(csv)!);
            var plot = new LossCurvePlot(parse.GetValue(title)!, table.XLabel, "loss");
            foreach ((string name, List<double> xs, List<double> ys) in table.Series)
            {
                if (xs.Count > 0)
                {
                    plot.AddSeries(name, xs, ys);
                }
            }

            plot.SavePng(output, parse.GetValue(width), parse.GetValue(height));
            console.Out.WriteLine($"wrote {Path.GetFullPath(output)} ({plot.SeriesCount} series)");
            return ExitCodes.Success;
        }));
        return command;
    }
}
