namespace FastLoss.Cli.Training;

/// <summary>How far an epoch has got: what a checkpoint taken in the middle of it must keep for the epoch to end as if never interrupted.</summary>
/// <param name="Batch">Batches done in the epoch.</param>
/// <param name="LossSum">The sum of their losses (for the epoch's mean).</param>
/// <param name="RunningLossSum">The sum of the losses since the last running-loss point.</param>
/// <param name="RunningBatches">How many batches that sum holds.</param>
internal readonly record struct EpochPosition(int Batch, double LossSum, double RunningLossSum, int RunningBatches);

/// <summary>What one pass over the training batches did.</summary>
/// <param name="Position">Where the epoch stands (at its end unless interrupted).</param>
/// <param name="ImagesPerSecond">Throughput of the batches run in this pass.</param>
/// <param name="Seconds">Time spent on them.</param>
/// <param name="Interrupted">Whether the pass stopped early because cancellation was requested.</param>
internal readonly record struct EpochOutcome(EpochPosition Position, double ImagesPerSecond, double Seconds, bool Interrupted);
