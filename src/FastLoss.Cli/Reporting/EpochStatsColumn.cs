using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastLoss.Cli.Reporting;

/// <summary>
/// The progress column with an epoch's figures: its mean loss so far and images/s while it trains, then the test
/// loss and accuracy once it is done (images/s of every epoch are in the table printed at the end). Kept short
/// so a bar fits in 80 columns. It is rendered on the display's thread, so formatting costs the training loop
/// nothing.
/// </summary>
internal sealed class EpochStatsColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Tag is not LiveEpochState state)
        {
            return Text.Empty;
        }

        if (state.Summary is { } summary)
        {
            return new Markup(
                $"loss [yellow]{Figures.Loss(summary.TrainLoss)}[/]  test [yellow]{Figures.Loss(summary.Test.Loss)}[/] [green]{Figures.Percent(summary.Test.Accuracy)}[/]");
        }

        string loss = double.IsNaN(state.EpochLoss) ? "-" : Figures.Loss(state.EpochLoss);
        string rest = state.Evaluating ? "testing..." : $"{Figures.Rate(state.ImagesPerSecond)} img/s";
        return new Markup($"loss [yellow]{loss}[/]  {Markup.Escape(rest)}");
    }
}
