namespace FastLoss.Cli.Reporting;

/// <summary>Where training stands after one batch; passed by reference so reporting a batch copies and allocates nothing.</summary>
internal readonly record struct BatchProgress
{
    /// <summary>The epoch, counted from 1.</summary>
    public int Epoch { get; init; }

    public int Epochs { get; init; }

    /// <summary>Batches done in this epoch, counted from 1.</summary>
    public int Batch { get; init; }

    public int Batches { get; init; }

    /// <summary>Optimizer steps since the start of the run.</summary>
    public long Step { get; init; }

    /// <summary>This batch's loss.</summary>
    public float Loss { get; init; }

    /// <summary>The mean loss of this epoch's batches so far.</summary>
    public double EpochLoss { get; init; }

    /// <summary>The mean loss of the batches since the previous report point (the running loss).</summary>
    public double RunningLoss { get; init; }

    /// <summary>Training images per second in this epoch so far.</summary>
    public double ImagesPerSecond { get; init; }

    /// <summary>Whether this batch ends a reporting interval (every N batches, and the epoch's last batch).</summary>
    public bool IsReportPoint { get; init; }
}
