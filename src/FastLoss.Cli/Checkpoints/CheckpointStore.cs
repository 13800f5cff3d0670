using System.Globalization;
using FastLoss.Cli.Training;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Serialization;

namespace FastLoss.Cli.Checkpoints;

/// <summary>
/// Checkpoints of a training run. Each one is a folder <c>checkpoints/step-NNNNNNNNNN/</c> in the run folder that holds
/// the pair and the loss history, one unit:
/// <list type="bullet">
/// <item><c>checkpoint.safetensors</c>: the network alone, under torch's state_dict names ("0.weight", ..., "8.bias"),
/// so <c>model.load_state_dict(safetensors.torch.load_file(path))</c> loads it in PyTorch as is; the training state
/// (<see cref="TrainingState"/>: run id, seed, step, counters) is in its metadata, which load_file ignores;</item>
/// <item><c>optimizer.safetensors</c>: SGD's momentum buffers ("optimizer.momentum_buffer.0.weight", ...) with the
/// same training state;</item>
/// <item><c>losses.csv</c>: the loss history up to that step.</item>
/// </list>
/// The folder is written as <c>checkpoints/.step-NNNNNNNNNN.partial/</c>, every file flushed to disk, and then renamed
/// into place, so at every instant the newest complete step folder is either the previous checkpoint or the new
/// one: a run killed anywhere resumes from one of them. The network file is then also copied to the run folder's
/// <c>checkpoint.safetensors</c> (atomically) for evaluate, predict and PyTorch; older step folders are removed, and
/// a new run removes what a killed one left half written.
/// </summary>
internal static class CheckpointStore
{
    public const string ModelFileName = "checkpoint.safetensors";
    public const string OptimizerFileName = "optimizer.safetensors";
    public const string HistoryFileName = "losses.csv";
    public const string CheckpointsFolderName = "checkpoints";
    public const string MomentumBufferPrefix = "optimizer.momentum_buffer.";

    private const string StepPrefix = "step-";
    private const string PartialSuffix = ".partial";

    /// <summary>Step folders kept: the newest and the one before it.</summary>
    private const int Kept = 2;

    /// <summary>Writes one checkpoint of the run in <paramref name="runFolder"/>; returns its network file in the run folder.</summary>
    public static string Save(string runFolder, Module model, SGD optimizer, TrainingState state, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(history);
        Dictionary<string, string> metadata = state.ToMetadata();
        var buffers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        IReadOnlyList<(string Name, Tensor Parameter)> parameters = model.NamedParameters();
        for (int i = 0; i < parameters.Count; i++)
        {
            ReadOnlySpan<float> buffer = optimizer.GetMomentumBuffer(i);
            if (!buffer.IsEmpty)
            {
                (string parameterName, Tensor parameter) = parameters[i];
                buffers.Add(MomentumBufferPrefix + parameterName, Tensor.FromValues(buffer, parameter.Shape.ToArray()));
            }
        }

        string checkpoints = Path.Combine(runFolder, CheckpointsFolderName);
        string name = StepPrefix + state.Step.ToString("D10", CultureInfo.InvariantCulture);
        string partial = Path.Combine(checkpoints, "." + name + PartialSuffix);
        string complete = Path.Combine(checkpoints, name);
        Directory.CreateDirectory(checkpoints);
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        Directory.CreateDirectory(partial);
        FaultPoints.Reach($"created {partial}");
        IReadOnlyDictionary<string, Tensor> network = model.StateDict();
        DurableFile.Write(Path.Combine(partial, ModelFileName), stream => SafeTensors.Write(stream, network, metadata));
        DurableFile.Write(Path.Combine(partial, OptimizerFileName), stream => SafeTensors.Write(stream, buffers, metadata));
        DurableFile.Write(Path.Combine(partial, HistoryFileName), history.WriteCsv);

        // The same step written again (a resumed run that stops where it started) replaces its folder.
        if (Directory.Exists(complete))
        {
            Directory.Delete(complete, recursive: true);
            FaultPoints.Reach($"deleted {complete}");
        }

        Directory.Move(partial, complete);
        FaultPoints.Reach($"renamed {partial} to {complete}");

        string copy = Path.Combine(runFolder, ModelFileName);
        DurableFile.Write(copy, stream => SafeTensors.Write(stream, network, metadata));
        RemoveOlderThan(checkpoints, name);
        return Path.GetFullPath(copy);
    }

    /// <summary>Copies the network file of <paramref name="from"/> to the run folder's <c>checkpoint.safetensors</c> unless it is already there.</summary>
    public static void RefreshCopy(CheckpointFiles from, string runFolder)
    {
        ArgumentNullException.ThrowIfNull(from);
        string copy = Path.Combine(runFolder, ModelFileName);
        if (Path.GetFullPath(copy) == from.Model || (File.Exists(copy) && File.ReadAllBytes(copy).AsSpan().SequenceEqual(File.ReadAllBytes(from.Model))))
        {
            return;
        }

        byte[] bytes = File.ReadAllBytes(from.Model);
        DurableFile.Write(copy, stream => stream.Write(bytes));
    }

    /// <summary>Removes what a killed run left half written: partial step folders and temporary files.</summary>
    public static void RemoveLeftovers(string runFolder)
    {
        DurableFile.RemoveTemporaries(runFolder);
        string checkpoints = Path.Combine(runFolder, CheckpointsFolderName);
        if (!Directory.Exists(checkpoints))
        {
            return;
        }

        foreach (string folder in Directory.EnumerateDirectories(checkpoints, "." + StepPrefix + "*" + PartialSuffix))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The checkpoint to continue from for <paramref name="path"/>: a step folder's network file stands for its folder;
    /// a run folder, or its <c>checkpoint.safetensors</c>, for the newest complete step folder of the run (the copy may
    /// be a step behind, or not written yet, when a run was killed between the two); a file with
    /// <c>optimizer.safetensors</c> beside it and no step folders (an earlier layout, or a copied pair) for itself.
    /// </summary>
    public static CheckpointFiles Locate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
        if (Path.GetFileName(folder).StartsWith(StepPrefix, StringComparison.Ordinal)
            && Path.GetFileName(Path.GetDirectoryName(folder)!) == CheckpointsFolderName)
        {
            RequireFile(Path.Combine(folder, ModelFileName), "checkpoint");
            return Files(folder, Path.GetDirectoryName(Path.GetDirectoryName(folder)!)!);
        }

        string checkpoints = Path.Combine(folder, CheckpointsFolderName);
        if (Directory.Exists(checkpoints) && Newest(checkpoints) is { } newest)
        {
            return Files(newest, folder);
        }

        RequireFile(full, "checkpoint");
        return new CheckpointFiles(full, Path.Combine(folder, OptimizerFileName), Path.Combine(folder, HistoryFileName), folder);
    }

    /// <summary>
    /// Loads the network's parameters from <paramref name="path"/> (every name present, every shape matching, as
    /// torch's strict load_state_dict; nothing is changed on an error) and returns the file's metadata.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LoadModel(string path, Module model, string? keyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        RequireFile(path, "checkpoint");
        if (keyPrefix is null)
        {
            return SafeTensors.LoadInto(path, model.StateDict(), strict: true);
        }

        model.LoadStateDict(path, strict: true, keyPrefix);
        return SafeTensors.Load(path).Metadata;
    }

    /// <summary>
    /// Restores the momentum buffers from <paramref name="path"/>, after checking that the file is the optimizer
    /// state saved with the network state <paramref name="modelState"/> (of <paramref name="modelPath"/>: same run,
    /// seed and step) and that every buffer fits its parameter.
    /// </summary>
    public static void LoadOptimizer(string path, string modelPath, Module model, SGD optimizer, TrainingState modelState)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(modelState);
        RequireFile(path, "optimizer state");
        SafeTensorsContent content = SafeTensors.Load(path);
        TrainingState state = TrainingState.FromMetadata(path, content.Metadata);
        string? difference = TrainingState.Difference(modelState, state);
        if (difference is not null)
        {
            throw new InvalidDataException(
                $"'{modelPath}' and '{path}' were not saved together: {difference}. Resume from a checkpoint whose two files belong to one step.");
        }

        IReadOnlyList<(string Name, Tensor Parameter)> parameters = model.NamedParameters();
        var restored = new Tensor?[parameters.Count];
        foreach ((string key, Tensor buffer) in content.Tensors)
        {
            int index = IndexOfBuffer(parameters, key);
            if (index < 0)
            {
                throw new InvalidDataException(
                    $"'{path}' holds '{key}', which is not the momentum buffer of a parameter of the network " +
                    $"(expected names such as '{MomentumBufferPrefix}{parameters[0].Name}').");
            }

            Tensor parameter = parameters[index].Parameter;
            if (!buffer.SameShape(parameter))
            {
                throw new InvalidDataException(
                    $"'{path}': '{key}' has shape {buffer.ShapeText}, but the parameter {parameters[index].Name} has shape {parameter.ShapeText}.");
            }

            restored[index] = buffer;
        }

        int count = 0;
        foreach (Tensor? buffer in restored)
        {
            count += buffer is null ? 0 : 1;
        }

        if (state.Momentum != 0f && state.Step > 0 && count != parameters.Count)
        {
            throw new InvalidDataException(
                $"'{path}' holds momentum buffers for {count} of the network's {parameters.Count} parameters; " +
                $"after {state.Step} steps with momentum {state.Momentum} every parameter has one.");
        }

        // Buffers saved with momentum mean nothing to a run resumed without it; SGD then keeps none.
        if (optimizer.Momentum == 0f)
        {
            return;
        }

        for (int i = 0; i < restored.Length; i++)
        {
            if (restored[i] is { } buffer)
            {
                optimizer.SetMomentumBuffer(i, buffer.Values);
            }
        }
    }

    private static CheckpointFiles Files(string stepFolder, string runFolder) => new(
        Path.Combine(stepFolder, ModelFileName), Path.Combine(stepFolder, OptimizerFileName), Path.Combine(stepFolder, HistoryFileName), runFolder);

    /// <summary>The complete step folder with the highest step, or null.</summary>
    private static string? Newest(string checkpoints)
    {
        string? newest = null;
        foreach (string folder in Directory.EnumerateDirectories(checkpoints, StepPrefix + "*"))
        {
            if (File.Exists(Path.Combine(folder, ModelFileName)) && File.Exists(Path.Combine(folder, OptimizerFileName))
                && (newest is null || string.CompareOrdinal(Path.GetFileName(folder), Path.GetFileName(newest)) > 0))
            {
                newest = folder;
            }
        }

        return newest;
    }

    private static void RemoveOlderThan(string checkpoints, string newest)
    {
        var older = new List<string>();
        foreach (string folder in Directory.EnumerateDirectories(checkpoints, StepPrefix + "*"))
        {
            if (string.CompareOrdinal(Path.GetFileName(folder), newest) < 0)
            {
                older.Add(folder);
            }
        }

        older.Sort(StringComparer.Ordinal);
        for (int i = 0; i < older.Count - (Kept - 1); i++)
        {
            Directory.Delete(older[i], recursive: true);
            FaultPoints.Reach($"deleted {older[i]}");
        }
    }

    private static int IndexOfBuffer(IReadOnlyList<(string Name, Tensor Parameter)> parameters, string key)
    {
        if (!key.StartsWith(MomentumBufferPrefix, StringComparison.Ordinal))
        {
            return -1;
        }

        string name = key[MomentumBufferPrefix.Length..];
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static void RequireFile(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new FileNotFoundException($"the {what} '{Path.GetFullPath(path)}' is a folder, not a safetensors file.", path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} not found: '{Path.GetFullPath(path)}'.", path);
        }
    }
}

/// <summary>The files of one checkpoint, and the run folder it belongs to.</summary>
internal sealed record CheckpointFiles(string Model, string Optimizer, string History, string RunFolder);
