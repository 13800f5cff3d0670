using FastLoss.Cli.Training;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Serialization;

namespace FastLoss.Cli.Checkpoints;

/// <summary>
/// Checkpoints of a training run, as two safetensors files in one folder, each written atomically:
/// <list type="bullet">
/// <item><c>checkpoint.safetensors</c>: the network alone, under torch's state_dict names ("0.weight", ...,
/// "8.bias"), so <c>model.load_state_dict(safetensors.torch.load_file(path))</c> loads it in PyTorch as is; the
/// training state (<see cref="TrainingState"/>) is in the file's metadata, which load_file ignores.</item>
/// <item><c>optimizer.safetensors</c>: SGD's momentum buffers, named "optimizer.momentum_buffer.0.weight", ...,
/// with the same training state in its metadata.</item>
/// </list>
/// The optimizer file is written first and the network last, so a crash between the two leaves an optimizer
/// state newer than the network; the step counters in both files expose that on resume.
/// </summary>
internal static class CheckpointStore
{
    public const string ModelFileName = "checkpoint.safetensors";
    public const string OptimizerFileName = "optimizer.safetensors";
    public const string MomentumBufferPrefix = "optimizer.momentum_buffer.";

    /// <summary>Writes both files into <paramref name="folder"/>; returns the network file's path.</summary>
    public static string Save(string folder, Module model, SGD optimizer, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        Dictionary<string, string> metadata = state.ToMetadata();
        var buffers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        IReadOnlyList<(string Name, Tensor Parameter)> parameters = model.NamedParameters();
        for (int i = 0; i < parameters.Count; i++)
        {
            ReadOnlySpan<float> buffer = optimizer.GetMomentumBuffer(i);
            if (!buffer.IsEmpty)
            {
                (string name, Tensor parameter) = parameters[i];
                buffers.Add(MomentumBufferPrefix + name, Tensor.FromValues(buffer, parameter.Shape.ToArray()));
            }
        }

        SafeTensors.Save(Path.Combine(folder, OptimizerFileName), buffers, metadata);
        string modelPath = Path.Combine(folder, ModelFileName);
        SafeTensors.Save(modelPath, model.StateDict(), metadata);
        return Path.GetFullPath(modelPath);
    }

    /// <summary>The optimizer file that belongs with the network file <paramref name="checkpointPath"/>.</summary>
    public static string OptimizerPathFor(string checkpointPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, OptimizerFileName);

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
    /// state saved with the network state <paramref name="modelState"/> and that every buffer fits its parameter.
    /// </summary>
    public static void LoadOptimizer(string path, Module model, SGD optimizer, TrainingState modelState)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(modelState);
        RequireFile(path, "optimizer state");
        SafeTensorsContent content = SafeTensors.Load(path);
        TrainingState state = TrainingState.FromMetadata(path, content.Metadata);
        if (state.Step != modelState.Step || state.Epoch != modelState.Epoch || state.BatchInEpoch != modelState.BatchInEpoch)
        {
            throw new InvalidDataException(
                $"'{path}' holds the optimizer state of step {state.Step} (epoch {state.Epoch}, batch {state.BatchInEpoch}), " +
                $"but the checkpoint is from step {modelState.Step} (epoch {modelState.Epoch}, batch {modelState.BatchInEpoch}): " +
                "the two files were not saved together.");
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
                optimizer.SetMomentumBuffer(i, buffer.Span);
            }
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
