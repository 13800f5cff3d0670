using System.Globalization;
using FastLoss.Cli.Training;

namespace FastLoss.Cli.Checkpoints;

/// <summary>
/// Where a run stands and how it was configured: what a checkpoint's metadata records besides the tensors, so
/// that <c>train --resume</c> continues exactly where the run stopped (same data order, same counters).
/// </summary>
internal sealed record TrainingState
{
    /// <summary>Identifies checkpoints written by this tool (metadata "format").</summary>
    public const string FormatName = "fastloss-cifar10-cnn/1";

    /// <summary>Identifies the run (one id from its start through every resume): both files of a checkpoint carry it.</summary>
    public string RunId { get; init; } = "";

    /// <summary>Epochs completed.</summary>
    public int Epoch { get; init; }

    /// <summary>How far the epoch after <see cref="Epoch"/> has got (past its start only for a run stopped mid-epoch).</summary>
    public EpochPosition Position { get; init; }

    /// <summary>Batches done in the epoch after <see cref="Epoch"/> (non-zero only for a run stopped mid-epoch).</summary>
    public int BatchInEpoch => Position.Batch;

    /// <summary>Optimizer steps taken since the start of the run.</summary>
    public long Step { get; init; }

    public float Lr { get; init; }

    public float Momentum { get; init; }

    /// <summary>Seeds the initial weights and the shuffle order.</summary>
    public int Seed { get; init; }

    public int BatchSize { get; init; }

    /// <summary>Batches between running-loss points.</summary>
    public int LogInterval { get; init; } = 25;

    /// <summary>The number of training images used when the run was limited to the first ones; null for all.</summary>
    public int? LimitTrain { get; init; }

    /// <summary>The test loss after the last completed epoch, if evaluated.</summary>
    public double? TestLoss { get; init; }

    /// <summary>The test accuracy after the last completed epoch, if evaluated.</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>The state as safetensors metadata (strings, invariant culture, round-trip precision).</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = FormatName,
            ["run_id"] = RunId,
            ["epoch"] = Text(Epoch),
            ["batch_in_epoch"] = Text(Position.Batch),
            ["step"] = Text(Step),
            ["epoch_loss_sum"] = Position.LossSum.ToString("R", CultureInfo.InvariantCulture),
            ["running_loss_sum"] = Position.RunningLossSum.ToString("R", CultureInfo.InvariantCulture),
            ["running_batches"] = Text(Position.RunningBatches),
            ["log_interval"] = Text(LogInterval),
            ["lr"] = Lr.ToString(CultureInfo.InvariantCulture),
            ["momentum"] = Momentum.ToString(CultureInfo.InvariantCulture),
            ["seed"] = Text(Seed),
            ["batch_size"] = Text(BatchSize),
        };
        if (LimitTrain is { } limit)
        {
            metadata["limit_train"] = Text(limit);
        }

        if (TestLoss is { } loss)
        {
            metadata["test_loss"] = loss.ToString("R", CultureInfo.InvariantCulture);
        }

        if (TestAccuracy is { } accuracy)
        {
            metadata["test_accuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture);
        }

        return metadata;
    }

    /// <summary>Reads the state back; a missing or malformed entry is an error naming the file and the entry.</summary>
    public static TrainingState FromMetadata(string path, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue("format", out string? format))
        {
            throw new InvalidDataException(
                $"'{path}' has no training state in its metadata (no 'format' entry): it was not written by 'fastloss train', so it cannot be resumed.");
        }

        if (format != FormatName)
        {
            throw new InvalidDataException($"'{path}' has metadata format '{format}'; this version reads '{FormatName}'.");
        }

        var reader = new MetadataReader(path, metadata);
        var state = new TrainingState
        {
            RunId = reader.Has("run_id") ? metadata["run_id"] : "",
            Epoch = reader.Int("epoch", 0),
            Position = new EpochPosition(
                reader.Int("batch_in_epoch", 0), reader.Double("epoch_loss_sum"), reader.Double("running_loss_sum"), reader.Int("running_batches", 0)),
            Step = reader.Long("step"),
            LogInterval = reader.Int("log_interval", 1),
            Lr = reader.Float("lr", 0),
            Momentum = reader.Float("momentum", 0),
            Seed = reader.Int("seed", int.MinValue),
            BatchSize = reader.Int("batch_size", 1),
            LimitTrain = reader.Has("limit_train") ? reader.Int("limit_train", 1) : null,
            TestLoss = reader.Has("test_loss") ? reader.Double("test_loss") : null,
            TestAccuracy = reader.Has("test_accuracy") ? reader.Double("test_accuracy") : null,
        };
        return state;
    }

    /// <summary>
    /// How two files' states differ where they must agree to be one checkpoint (run id, seed, step, epoch and batch),
    /// named with both values; null when they agree.
    /// </summary>
    public static string? Difference(TrainingState model, TrainingState optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var differences = new List<string>();
        if (model.RunId != optimizer.RunId)
        {
            differences.Add($"run id {Show(model.RunId)} against {Show(optimizer.RunId)}");
        }

        if (model.Seed != optimizer.Seed)
        {
            differences.Add($"seed {model.Seed} against {optimizer.Seed}");
        }

        if (model.Step != optimizer.Step || model.Epoch != optimizer.Epoch || model.BatchInEpoch != optimizer.BatchInEpoch)
        {
            differences.Add(
                $"step {model.Step} (epoch {model.Epoch}, batch {model.BatchInEpoch}) against step {optimizer.Step} (epoch {optimizer.Epoch}, batch {optimizer.BatchInEpoch})");
        }

        return differences.Count == 0 ? null : "the network file has " + string.Join(", ", differences) + " in the optimizer file";
    }

    private static string Show(string runId) => runId.Length == 0 ? "(none)" : runId;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private readonly struct MetadataReader(string path, IReadOnlyDictionary<string, string> metadata)
    {
        public bool Has(string key) => metadata.ContainsKey(key);

        public int Int(string key, int minimum)
        {
            string text = Get(key);
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < minimum)
            {
                throw Bad(key, text, minimum == 0 ? "a whole number, 0 or more" : minimum == 1 ? "a whole number, 1 or more" : "a whole number");
            }

            return value;
        }

        public long Long(string key)
        {
            string text = Get(key);
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw Bad(key, text, "a whole number, 0 or more");
            }

            return value;
        }

        public float Float(string key, float minimum)
        {
            string text = Get(key);
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value) || value < minimum)
            {
                throw Bad(key, text, $"a finite number, {minimum.ToString(CultureInfo.InvariantCulture)} or more");
            }

            return value;
        }

        public double Double(string key)
        {
            string text = Get(key);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw Bad(key, text, "a number");
            }

            return value;
        }

        private string Get(string key) => metadata.TryGetValue(key, out string? text)
            ? text
            : throw new InvalidDataException($"'{path}' lacks the metadata entry '{key}' of a training checkpoint.");

        private InvalidDataException Bad(string key, string text, string expected) =>
            new($"'{path}' has metadata {key} = '{text}', which is not {expected}.");
    }
}
