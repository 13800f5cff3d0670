using FastLoss.Cli.Training;

namespace FastLoss.Cli.Reporting;

/// <summary>
/// Shows a training run as it goes: a live progress bar on a terminal, plain lines otherwise. The training loop
/// calls <see cref="BatchCompleted"/> after every batch, so implementations must not allocate there except at
/// report points.
/// </summary>
internal interface ITrainingReporter
{
    /// <summary>Runs <paramref name="training"/> (all epochs) inside the display, e.g. a live progress area.</summary>
    T Run<T>(Func<T> training);

    void RunStarted(RunDescription description);

    void EpochStarted(int epoch, int epochs, int batches, int firstBatch);

    void BatchCompleted(in BatchProgress progress);

    /// <summary>Training of the epoch is done; the test set is being evaluated.</summary>
    void Evaluating(int epoch, int images);

    void EpochCompleted(EpochSummary summary);

    /// <summary>A line of information (checkpoint written, run interrupted, ...).</summary>
    void Note(string message);

    /// <summary>The closing report: per-epoch figures are already shown; this adds the per-class accuracy.</summary>
    void RunCompleted(IReadOnlyList<EpochSummary> epochs, EvaluationResult? finalTest, IReadOnlyList<string> classNames);
}
