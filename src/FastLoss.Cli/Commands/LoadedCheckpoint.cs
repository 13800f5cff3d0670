using System.Globalization;
using FastLoss.Cli.Checkpoints;
using FastLoss.Cli.Training;
using FastLoss.NN;

namespace FastLoss.Cli.Commands;

/// <summary>A network loaded from a checkpoint for evaluate and predict, with a line describing where it came from.</summary>
internal sealed record LoadedCheckpoint(Sequential Model, TrainingState? State, string Description)
{
    /// <summary>
    /// Loads the network's tensors (strict names and shapes, after removing <paramref name="keyPrefix"/>); the training
    /// state is read when the file was written by this tool (a PyTorch or Hugging Face file's metadata is its own).
    /// </summary>
    public static LoadedCheckpoint Load(string path, string? keyPrefix = null)
    {
        Sequential model = Cifar10Cnn.Create(new Generator(0));
        IReadOnlyDictionary<string, string> metadata = CheckpointStore.LoadModel(path, model, keyPrefix);
        TrainingState? state = metadata.TryGetValue("format", out string? format) && format == TrainingState.FormatName
            ? TrainingState.FromMetadata(path, metadata)
            : null;
        string description = state is null
            ? $"checkpoint: {Path.GetFullPath(path)} (no training state recorded)"
            : string.Create(CultureInfo.InvariantCulture,
                $"checkpoint: {Path.GetFullPath(path)} (epoch {state.Epoch}{(state.BatchInEpoch > 0 ? $" and {state.BatchInEpoch} batches" : "")}, " +
                $"step {state.Step}, lr {state.Lr}, momentum {state.Momentum}, batch size {state.BatchSize}, seed {state.Seed})");
        return new LoadedCheckpoint(model, state, description);
    }
}
