using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The base of layers and containers (torch.nn.Module): a forward function and named parameters, named as in
/// torch's state_dict ("weight", "0.bias", ...). Layers own their output tensors and backward nodes and reuse
/// them while the input shape stays the same, so a training step allocates nothing after the first. A layer
/// instance therefore holds one result at a time: call it once per forward pass, and copy an output that must
/// outlive the next call.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming", "CA1716:Identifiers should not match keywords", Justification = "The name is torch.nn.Module's, which users look for.")]
public abstract class Module
{
    /// <summary>Computes the output for <paramref name="input"/>, recording the backward step on the tape when gradients are wanted.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>The parameters, in registration order (torch's parameters()).</summary>
    public IReadOnlyList<Tensor> Parameters()
    {
        var named = NamedParameters();
        var parameters = new Tensor[named.Count];
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = named[i].Parameter;
        }

        return parameters;
    }

    /// <summary>The parameters with their state_dict keys (torch's named_parameters()).</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters()
    {
        var parameters = new List<(string Name, Tensor Parameter)>();
        CollectParameters(string.Empty, parameters);
        return parameters;
    }

    /// <summary>The parameters by state_dict name (torch's state_dict()), the tensors themselves, not copies.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string name, Tensor parameter) in NamedParameters())
        {
            state.Add(name, parameter);
        }

        return state;
    }

    /// <summary>The number of trainable values.</summary>
    public long ParameterCount()
    {
        long count = 0;
        foreach ((_, Tensor parameter) in NamedParameters())
        {
            count += parameter.Length;
        }

        return count;
    }

    /// <summary>Zeroes the gradients of all parameters in place (torch's zero_grad()).</summary>
    [HotPath]
    public void ZeroGrad() => ZeroParameterGrads();

    /// <summary>Adds this module's parameters, named with <paramref name="prefix"/> in front, to <paramref name="parameters"/>.</summary>
    protected internal virtual void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> parameters)
    {
    }

    /// <summary>
    /// Zeroes the gradients of this module's parameters. The default goes through <see cref="NamedParameters"/>;
    /// the library's layers override it so that a training loop calling zero_grad every step allocates nothing.
    /// </summary>
    protected internal virtual void ZeroParameterGrads()
    {
        foreach ((_, Tensor parameter) in NamedParameters())
        {
            parameter.ZeroGrad();
        }
    }
}
