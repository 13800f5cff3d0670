using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastLoss.Cli.Reporting;

/// <summary>A bar of the batches done in the epoch: yellow while it trains, green once done.</summary>
internal sealed class BatchBarColumn(int width) : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Tag is not LiveEpochState state || state.Batches == 0)
        {
            return Text.Empty;
        }

        int filled = (int)((long)width * Math.Min(state.Batch, state.Batches) / state.Batches);
        string colour = state.Summary is null ? "yellow" : "green";
        return new Markup($"[{colour}]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/]");
    }
}
