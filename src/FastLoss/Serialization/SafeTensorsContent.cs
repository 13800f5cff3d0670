namespace FastLoss.Serialization;

/// <summary>What a safetensors file holds: named tensors and string metadata (the header's <c>__metadata__</c>).</summary>
/// <param name="Tensors">The tensors by name, e.g. "0.weight" (torch's state_dict keys).</param>
/// <param name="Metadata">Free-form string pairs, e.g. "epoch" = "3"; empty when the file has none.</param>
public sealed record SafeTensorsContent(
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, string> Metadata);
