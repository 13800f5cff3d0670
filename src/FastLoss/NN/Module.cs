using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The base of layers, containers and losses (torch.nn.Module): named parameters (as in torch's state_dict:
/// "weight", "0.bias", ...), child modules, training mode, and a forward function. A module holds its parameters and
/// caches derived from them, nothing of a call: every call records its own graph node and returns its own result
/// (see docs/autograd.md), so a module may be called any number of times in one forward pass, and one model may
/// serve inference on many threads at once. Training one model from several threads at once is not supported.
/// <para>
/// Subclasses implement <see cref="ForwardCore"/>; callers call <see cref="Forward"/>, which delimits the call (as
/// torch's <c>module(x)</c> wraps <c>forward</c>).
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming", "CA1716:Identifiers should not match keywords", Justification = "The name is torch.nn.Module's, which users look for.")]
public abstract class Module
{
    /// <summary>Whether the module is in training mode (torch's <c>training</c>); <see cref="Train"/> and <see cref="Eval"/> set it.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the output for <paramref name="input"/> (torch's <c>module(input)</c>).</summary>
    [HotPath]
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var call = OperationCall.Begin();
        return call.Return(ForwardCore(input));
    }

    /// <summary>Sets training mode on this module and its children (torch's <c>train(mode)</c>); returns this module.</summary>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach (Module child in Children())
        {
            child.Train(mode);
        }

        return this;
    }

    /// <summary>Sets evaluation mode on this module and its children (torch's <c>eval()</c>); returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>The direct children (torch's <c>children()</c>).</summary>
    public virtual IReadOnlyList<Module> Children() => [];

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

    /// <summary>
    /// Clears the gradients of all parameters (torch's zero_grad()): set to none by default, as torch 2 does (the
    /// next backward pass writes them; the buffers are kept, so nothing is allocated), or zeroed in place.
    /// </summary>
    [HotPath]
    public void ZeroGrad(bool setToNone = true) => ClearParameterGrads(setToNone);

    /// <summary>The forward function: what the module computes from <paramref name="input"/>.</summary>
    protected virtual Tensor ForwardCore(Tensor input) =>
        throw new NotImplementedException($"Module [{GetType().Name}] is missing the required \"forward\" function");

    /// <summary>Adds this module's parameters, named with <paramref name="prefix"/> in front, to <paramref name="parameters"/>.</summary>
    protected internal virtual void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> parameters)
    {
    }

    /// <summary>
    /// Clears the gradients of this module's parameters. The default goes through <see cref="NamedParameters"/>;
    /// the library's layers override it so that a training loop calling zero_grad every step allocates nothing.
    /// </summary>
    protected internal virtual void ClearParameterGrads(bool setToNone)
    {
        foreach ((_, Tensor parameter) in NamedParameters())
        {
            Clear(parameter, setToNone);
        }
    }

    /// <summary>Clears one parameter's gradient.</summary>
    [HotPath]
    protected static void Clear(Tensor? parameter, bool setToNone)
    {
        if (parameter is null)
        {
            return;
        }

        if (setToNone)
        {
            parameter.ClearGrad();
        }
        else
        {
            parameter.ZeroGrad();
        }
    }
}
