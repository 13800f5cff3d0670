using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FastLoss.Cli.Reporting;

/// <summary>"37/156": batches done and batches in the epoch.</summary>
internal sealed class BatchCountColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Tag is not LiveEpochState state)
        {
            return Text.Empty;
        }

        string total = state.Batches.ToString(CultureInfo.InvariantCulture);
        return new Text($"{state.Batch.ToString(CultureInfo.InvariantCulture).PadLeft(total.Length)}/{total}");
    }
}
