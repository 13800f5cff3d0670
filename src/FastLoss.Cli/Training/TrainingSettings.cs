namespace FastLoss.Cli.Training;

/// <summary>The options of <c>fastloss train</c>, after parsing.</summary>
internal sealed record TrainingSettings
{
    /// <summary>The folder that holds cifar-10-batches-bin (or the official archive).</summary>
    public string DataRoot { get; init; } = "data";

    /// <summary>Fetch CIFAR-10 when it is not under <see cref="DataRoot"/>.</summary>
    public bool Download { get; init; } = true;

    /// <summary>The epoch to train up to, counting those of a resumed checkpoint.</summary>
    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 64;

    public float Lr { get; init; } = 0.01f;

    public float Momentum { get; init; }

    public int Seed { get; init; }

    /// <summary>The folder for checkpoints, the loss curve and TensorBoard events.</summary>
    public string OutputFolder { get; init; } = Path.Combine("runs", "cifar10");

    /// <summary>A checkpoint to continue from, or null.</summary>
    public string? Resume { get; init; }

    /// <summary>Train on the first N training images only (a quick run); null for all.</summary>
    public int? LimitTrain { get; init; }

    /// <summary>Evaluate on the first N test images only; null for all.</summary>
    public int? LimitTest { get; init; }

    /// <summary>Batches between running-loss points (and progress lines in plain output).</summary>
    public int LogInterval { get; init; } = 25;

    /// <summary>Which options were given on the command line; on resume the others come from the checkpoint.</summary>
    public ExplicitOptions Given { get; init; } = ExplicitOptions.None;
}

/// <summary>The options a resumed run takes from the command line rather than from its checkpoint.</summary>
[Flags]
internal enum ExplicitOptions
{
    None = 0,
    BatchSize = 1,
    Lr = 2,
    Momentum = 4,
    Seed = 8,
    LimitTrain = 16,
    OutputFolder = 32,
    LogInterval = 64,
}
