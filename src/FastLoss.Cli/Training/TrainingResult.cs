using FastLoss.Cli.Checkpoints;
using FastLoss.Cli.Reporting;

namespace FastLoss.Cli.Training;

/// <summary>How a training run ended.</summary>
/// <param name="State">The state of the last checkpoint written (or resumed from, when there was nothing to do).</param>
/// <param name="Epochs">The epochs completed in this invocation.</param>
/// <param name="Interrupted">Whether cancellation stopped the run before its last epoch.</param>
/// <param name="OutputFolder">Where the checkpoint, curves and events are.</param>
internal sealed record TrainingResult(TrainingState State, IReadOnlyList<EpochSummary> Epochs, bool Interrupted, string OutputFolder)
{
    /// <summary>For an interrupted run, the command that continues it (printed after the progress display is gone).</summary>
    public string? ResumeWith { get; init; }
}
