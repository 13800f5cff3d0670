namespace FastLoss.NN;

/// <summary>What <see cref="Module.LoadStateDict(IReadOnlyDictionary{string, Tensor}, bool, string)"/> did not match (torch's _IncompatibleKeys).</summary>
/// <param name="MissingKeys">Parameters of the model that the state dict does not have.</param>
/// <param name="UnexpectedKeys">Entries of the state dict that name no parameter of the model.</param>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
