using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// Modules applied in order (torch.nn.Sequential); the parameters of module i are named "i.weight", "i.bias".
/// </summary>
public sealed class Sequential : Module
{
    private readonly Module[] _modules;

    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        for (int i = 0; i < modules.Length; i++)
        {
            if (modules[i] is null)
            {
                throw new ArgumentNullException(nameof(modules), $"Sequential: module {i} is null.");
            }
        }

        _modules = (Module[])modules.Clone();
    }

    /// <summary>The number of modules.</summary>
    public int Count => _modules.Length;

    /// <summary>The module at <paramref name="index"/>; negative indices count from the end, as in torch.</summary>
    public Module this[int index]
    {
        get
        {
            int i = index < 0 ? index + _modules.Length : index;
            if ((uint)i >= (uint)_modules.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is out of range");
            }

            return _modules[i];
        }
    }

    public override IReadOnlyList<Module> Children() => _modules;

    [HotPath]
    private protected override Tensor Compute(Autograd.GraphArena arena, Tensor input)
    {
        Tensor x = input;
        int i = 0;
        try
        {
            for (; i < _modules.Length; i++)
            {
                x = _modules[i].Call(arena, x);
            }
        }
        catch (Exception exception) when (ModuleErrors.CanLocate(exception))
        {
            throw ModuleErrors.Locate(exception, i, _modules[i]);
        }

        return x;
    }

    protected internal override void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> parameters)
    {
        for (int i = 0; i < _modules.Length; i++)
        {
            _modules[i].CollectParameters($"{prefix}{i}.", parameters);
        }
    }

    [HotPath]
    protected internal override void ClearParameterGrads(bool setToNone)
    {
        foreach (Module module in _modules)
        {
            module.ClearParameterGrads(setToNone);
        }
    }
}
