namespace FastLoss.NN;

/// <summary>
/// torch's <c>load_state_dict</c> checks and wording: missing keys, unexpected keys (both only when strict) and a
/// size mismatch for a named parameter (always). Everything is checked before anything is copied, so a refused
/// load leaves the model as it was (torch copies the parameters that fit before it raises). The values are copied
/// into the existing parameters, so optimizers built before keep working on them.
/// </summary>
internal static class StateDictLoader
{
    /// <summary>The problems, in torch's order; empty when the load may go ahead.</summary>
    public static List<string> Check(
        IReadOnlyList<(string Name, Tensor Parameter)> parameters, IReadOnlyDictionary<string, Tensor> state, bool strict,
        out List<string> missing, out List<string> unexpected)
    {
        missing = [];
        unexpected = [];
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, _) in parameters)
        {
            known.Add(name);
            if (!state.ContainsKey(name))
            {
                missing.Add(name);
            }
        }

        foreach (string key in state.Keys)
        {
            if (!known.Contains(key))
            {
                unexpected.Add(key);
            }
        }

        var problems = new List<string>();
        if (strict && missing.Count > 0)
        {
            problems.Add($"Missing key(s) in state_dict: {Quoted(missing)}. ");
        }

        if (strict && unexpected.Count > 0)
        {
            problems.Add($"Unexpected key(s) in state_dict: {Quoted(unexpected)}. ");
        }

        foreach ((string name, Tensor parameter) in parameters)
        {
            if (state.TryGetValue(name, out Tensor? source) && source is not null && !source.SameShape(parameter))
            {
                problems.Add(
                    $"size mismatch for {name}: copying a param with shape {source.ShapeText} from checkpoint, the shape in current model is {parameter.ShapeText}.");
            }
        }

        return problems;
    }

    /// <summary>The state dict with <paramref name="prefix"/> removed from the keys that start with it (all of them when null).</summary>
    public static IReadOnlyDictionary<string, Tensor> WithoutPrefix(IReadOnlyDictionary<string, Tensor> state, string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return state;
        }

        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in state)
        {
            string name = key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;
            if (!renamed.TryAdd(name, value))
            {
                throw new ArgumentException($"the state dict holds both '{key}' and '{prefix}{name}', which name the same parameter once the prefix '{prefix}' is removed", nameof(state));
            }
        }

        return renamed;
    }

    /// <summary>Copies every parameter found in <paramref name="state"/> into the model's tensor (a write: its version moves on).</summary>
    public static void Copy(IReadOnlyList<(string Name, Tensor Parameter)> parameters, IReadOnlyDictionary<string, Tensor> state)
    {
        foreach ((string name, Tensor parameter) in parameters)
        {
            if (state.TryGetValue(name, out Tensor? source) && source is not null)
            {
                parameter.CopyFrom(source.Values);
            }
        }
    }

    private static string Quoted(List<string> keys) => string.Join(", ", keys.Select(k => $"\"{k}\""));
}
