using FastLoss.Cli.Training;

namespace FastLoss.Cli.Reporting;

/// <summary>The figures of one completed epoch.</summary>
internal sealed record EpochSummary(
    int Epoch, int Epochs, long Step, double TrainLoss, int Batches, double ImagesPerSecond, double Seconds, EvaluationResult Test);
