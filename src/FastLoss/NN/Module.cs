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
    private List<(string Name, Module Module)>? _children;
    private List<(string Name, Tensor Parameter)>? _parameters;

    /// <summary>Whether the module is in training mode (torch's <c>training</c>); <see cref="Train"/> and <see cref="Eval"/> set it.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the output for <paramref name="input"/> (torch's <c>module(input)</c>).</summary>
    [HotPath]
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Call(GraphArena.Current, input);
    }

    /// <summary>The call as <see cref="Forward"/> makes it, on the thread's arena, which a container passes on to its children.</summary>
    [HotPath]
    internal Tensor Call(GraphArena arena, Tensor input)
    {
        arena.Enter();
        try
        {
            return arena.Result(Compute(arena, input));
        }
        finally
        {
            arena.Leave();
        }
    }

    /// <summary>The library's modules compute here, with the arena at hand; others through <see cref="ForwardCore"/>.</summary>
    private protected virtual Tensor Compute(GraphArena arena, Tensor input) => ForwardCore(input);

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

    /// <summary>The direct children (torch's <c>children()</c>): by default the ones given to <see cref="Register{T}"/>.</summary>
    public virtual IReadOnlyList<Module> Children()
    {
        if (_children is null)
        {
            return [];
        }

        var children = new Module[_children.Count];
        for (int i = 0; i < children.Length; i++)
        {
            children[i] = _children[i].Module;
        }

        return children;
    }

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

    /// <summary>
    /// Copies parameters from <paramref name="stateDict"/> into this module's parameters (torch's
    /// <c>load_state_dict</c>): with <paramref name="strict"/>, missing and unexpected keys are refused; a shape that
    /// differs always is. Nothing is copied when anything is refused. The parameters stay the same tensors, so
    /// optimizers built before keep working on them. <paramref name="keyPrefix"/> is removed from the keys that start
    /// with it (torch's <c>consume_prefix_in_state_dict_if_present</c>): a state dict saved from a model that held this
    /// one as <c>self.model1</c> names its weights "model1.0.weight".
    /// </summary>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, string? keyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        stateDict = StateDictLoader.WithoutPrefix(stateDict, keyPrefix);
        var parameters = NamedParameters();
        List<string> problems = StateDictLoader.Check(parameters, stateDict, strict, out var missing, out var unexpected);
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                $"Error(s) in loading state_dict for {GetType().Name}:\n\t{string.Join("\n\t", problems)}", nameof(stateDict));
        }

        StateDictLoader.Copy(parameters, stateDict);
        return new LoadStateDictResult(missing, unexpected);
    }

    /// <summary>
    /// Loads parameters from a safetensors file (as written by <c>safetensors.torch.save_file(model.state_dict())</c> or
    /// <see cref="Serialization.SafeTensors.Save"/>), with the checks of the dictionary overload; a refused file is an
    /// <see cref="InvalidDataException"/> naming it. F16, BF16 and F64 tensors load converted to float32.
    /// </summary>
    public LoadStateDictResult LoadStateDict(string path, bool strict = true, string? keyPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        IReadOnlyDictionary<string, Tensor> tensors = StateDictLoader.WithoutPrefix(Serialization.SafeTensors.Load(path).Tensors, keyPrefix);
        var parameters = NamedParameters();
        List<string> problems = StateDictLoader.Check(parameters, tensors, strict, out var missing, out var unexpected);
        if (problems.Count > 0)
        {
            throw new InvalidDataException(
                $"Error(s) in loading state_dict for {GetType().Name} from '{path}':\n\t{string.Join("\n\t", problems)}");
        }

        StateDictLoader.Copy(parameters, tensors);
        return new LoadStateDictResult(missing, unexpected);
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

    /// <summary>
    /// Registers a child module under <paramref name="name"/> (torch registers a module assigned to an attribute): its
    /// parameters are this module's, named "name.weight" and so on, and <see cref="Train"/> reaches it. Returns it.
    /// </summary>
    protected T Register<T>(string name, T module)
        where T : Module
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        RequireNewName(name);
        (_children ??= []).Add((name, module));
        return module;
    }

    /// <summary>Registers a parameter of this module under <paramref name="name"/> (torch's nn.Parameter attribute); it is made to require grad.</summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(parameter);
        RequireNewName(name);
        parameter.RequiresGrad = true;
        (_parameters ??= []).Add((name, parameter));
        return parameter;
    }

    /// <summary>The forward function: what the module computes from <paramref name="input"/>.</summary>
    protected virtual Tensor ForwardCore(Tensor input) =>
        throw ModuleErrors.ForwardMissing(this);

    /// <summary>
    /// Adds this module's parameters, named with <paramref name="prefix"/> in front, to <paramref name="parameters"/>:
    /// by default the registered parameters, then the registered children's, as torch orders them.
    /// </summary>
    protected internal virtual void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> parameters)
    {
        foreach ((string name, Tensor parameter) in _parameters ?? [])
        {
            parameters.Add((prefix + name, parameter));
        }

        foreach ((string name, Module child) in _children ?? [])
        {
            child.CollectParameters(prefix + name + ".", parameters);
        }
    }

    /// <summary>
    /// Clears the gradients of this module's parameters: the registered ones and the registered children's, without
    /// allocating, or, for a module that names its parameters by overriding <see cref="CollectParameters"/>, through
    /// <see cref="NamedParameters"/>. The library's layers override it.
    /// </summary>
    [HotPath]
    protected internal virtual void ClearParameterGrads(bool setToNone)
    {
        if (_parameters is null && _children is null)
        {
            ClearNamedParameterGrads(setToNone);
            return;
        }

        if (_parameters is not null)
        {
            for (int i = 0; i < _parameters.Count; i++)
            {
                Clear(_parameters[i].Parameter, setToNone);
            }
        }

        if (_children is not null)
        {
            for (int i = 0; i < _children.Count; i++)
            {
                _children[i].Module.ClearParameterGrads(setToNone);
            }
        }
    }

    private void ClearNamedParameterGrads(bool setToNone)
    {
        foreach ((_, Tensor parameter) in NamedParameters())
        {
            Clear(parameter, setToNone);
        }
    }

    private void RequireNewName(string name)
    {
        foreach ((string existing, _) in _children ?? [])
        {
            if (existing == name)
            {
                throw new ArgumentException($"attribute '{name}' already exists", nameof(name));
            }
        }

        foreach ((string existing, _) in _parameters ?? [])
        {
            if (existing == name)
            {
                throw new ArgumentException($"attribute '{name}' already exists", nameof(name));
            }
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
