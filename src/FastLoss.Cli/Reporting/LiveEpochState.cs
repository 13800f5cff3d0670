namespace FastLoss.Cli.Reporting;

/// <summary>
/// The figures of one epoch's progress line. The training thread writes them after each batch; the display's
/// render thread reads them about ten times a second. Each field is written whole (aligned ints and doubles), so
/// a reader sees a value of this batch or the previous one, which is all a progress display needs. The bar and
/// the batch count are drawn from here rather than from Spectre's task value, whose updates keep a growing
/// list of samples (an allocation now and then in the middle of an epoch).
/// </summary>
internal sealed class LiveEpochState(int batches)
{
    public int Batches { get; } = batches;

    public volatile int Batch;
    public double EpochLoss = double.NaN;
    public double ImagesPerSecond;
    public volatile bool Evaluating;
    public volatile EpochSummary? Summary;
}
