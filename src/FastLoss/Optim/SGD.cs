using System.Globalization;
using System.Runtime.Intrinsics;
using FastLoss.Generation;
using FastLoss.Kernels;

namespace FastLoss.Optim;

/// <summary>
/// torch.optim.SGD as in torch 2.10. Per parameter p with gradient g, each step:
/// g = -g if maximize; g += weight_decay * p; with momentum, buf = g on the first step (a copy, no dampening)
/// and buf = momentum * buf + (1 - dampening) * g after, then g = g + momentum * buf (nesterov) or buf;
/// finally p -= lr * g. Parameters without a gradient are skipped, as torch skips grad None.
/// Step allocates nothing once the momentum buffers exist (they are created on the first step).
/// </summary>
public sealed class SGD
{
    private readonly Tensor[] _parameters;
    private readonly float[]?[] _momentumBuffers;

    public SGD(
        IEnumerable<Tensor> parameters, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f,
        bool nesterov = false, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (lr < 0f)
        {
            throw new ArgumentException($"Invalid learning rate: {Format(lr)}", nameof(lr));
        }

        if (momentum < 0f)
        {
            throw new ArgumentException($"Invalid momentum value: {Format(momentum)}", nameof(momentum));
        }

        if (weightDecay < 0f)
        {
            throw new ArgumentException($"Invalid weight_decay value: {Format(weightDecay)}", nameof(weightDecay));
        }

        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening", nameof(nesterov));
        }

        var list = new List<Tensor>();
        foreach (Tensor parameter in parameters)
        {
            if (parameter is null)
            {
                throw new ArgumentException("optimizer can only optimize Tensors, but one of the params is null", nameof(parameters));
            }

            foreach (Tensor seen in list)
            {
                if (ReferenceEquals(seen, parameter))
                {
                    throw new ArgumentException("some parameters appear in more than one parameter group", nameof(parameters));
                }
            }

            list.Add(parameter);
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("optimizer got an empty parameter list", nameof(parameters));
        }

        _parameters = [.. list];
        _momentumBuffers = new float[]?[_parameters.Length];
        Lr = lr;
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        Maximize = maximize;
    }

    /// <summary>The learning rate; schedulers may change it between steps.</summary>
    public float Lr { get; set; }

    public float Momentum { get; }

    public float Dampening { get; }

    public float WeightDecay { get; }

    public bool Nesterov { get; }

    public bool Maximize { get; }

    /// <summary>The parameters, in the order given (the indices of the optimizer state).</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Zeroes every parameter's gradient in place.</summary>
    [HotPath]
    public void ZeroGrad()
    {
        foreach (Tensor parameter in _parameters)
        {
            parameter.ZeroGrad();
        }
    }

    /// <summary>
    /// The momentum buffer of parameter <paramref name="index"/> (torch's state[p]['momentum_buffer']), or an
    /// empty span before the first step that gave it a gradient or when momentum is 0.
    /// </summary>
    public ReadOnlySpan<float> GetMomentumBuffer(int index)
    {
        CheckIndex(index);
        return _momentumBuffers[index];
    }

    /// <summary>Restores the momentum buffer of parameter <paramref name="index"/> from a checkpoint.</summary>
    public void SetMomentumBuffer(int index, ReadOnlySpan<float> values)
    {
        CheckIndex(index);
        if (values.Length != _parameters[index].Length)
        {
            throw new ArgumentException(
                $"The momentum buffer of parameter {index} must have {_parameters[index].Length} elements, got {values.Length}.", nameof(values));
        }

        float[] buffer = _momentumBuffers[index] ??= new float[values.Length];
        values.CopyTo(buffer);
    }

    /// <summary>Forgets the momentum buffer of parameter <paramref name="index"/> (the next step starts it afresh).</summary>
    public void ClearMomentumBuffer(int index)
    {
        CheckIndex(index);
        _momentumBuffers[index] = null;
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    [HotPath]
    public void Step()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            Tensor parameter = _parameters[i];
            Tensor? grad = parameter.Grad;
            if (grad is null)
            {
                continue;
            }

            Span<float> buffer = default;
            bool firstMomentumStep = false;
            if (Momentum != 0f)
            {
                firstMomentumStep = _momentumBuffers[i] is null;
                buffer = _momentumBuffers[i] ?? CreateMomentumBuffer(i);
            }

            Update(parameter.Span, grad.Span, buffer, firstMomentumStep);
        }
    }

    [HotPath]
    private void Update(Span<float> p, ReadOnlySpan<float> grad, Span<float> buffer, bool firstMomentumStep)
    {
        var c = new Coefficients(this, firstMomentumStep);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= p.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> g = Vector512.Create(grad.Slice(i, Vector512<float>.Count));
                Vector512<float> pi = Vector512.Create(p.Slice(i, Vector512<float>.Count));
                Vector512<float> b = buffer.IsEmpty ? default : Vector512.Create(buffer.Slice(i, Vector512<float>.Count));
                g = c.Direction(g, pi, ref b);
                if (!buffer.IsEmpty)
                {
                    b.CopyTo(buffer.Slice(i, Vector512<float>.Count));
                }

                Vector512.FusedMultiplyAdd(g, Vector512.Create(c.NegativeLr), pi).CopyTo(p.Slice(i, Vector512<float>.Count));
            }
        }
        else if (Vector256.IsHardwareAccelerated && HardwareFma.IsFused)
        {
            for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> g = Vector256.Create(grad.Slice(i, Vector256<float>.Count));
                Vector256<float> pi = Vector256.Create(p.Slice(i, Vector256<float>.Count));
                Vector256<float> b = buffer.IsEmpty ? default : Vector256.Create(buffer.Slice(i, Vector256<float>.Count));
                g = c.Direction(g, pi, ref b);
                if (!buffer.IsEmpty)
                {
                    b.CopyTo(buffer.Slice(i, Vector256<float>.Count));
                }

                Vector256.FusedMultiplyAdd(g, Vector256.Create(c.NegativeLr), pi).CopyTo(p.Slice(i, Vector256<float>.Count));
            }
        }

        for (; i < p.Length; i++)
        {
            float b = buffer.IsEmpty ? 0f : buffer[i];
            float g = c.Direction(grad[i], p[i], ref b);
            if (!buffer.IsEmpty)
            {
                buffer[i] = b;
            }

            p[i] = HardwareFma.MultiplyAdd(g, c.NegativeLr, p[i]);
        }
    }

    /// <summary>The buffer of parameter <paramref name="index"/>, created on its first momentum step.</summary>
    private float[] CreateMomentumBuffer(int index) => _momentumBuffers[index] = new float[_parameters[index].Length];

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)_parameters.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The optimizer has {_parameters.Length} parameters.");
        }
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The per-step constants and the update direction, in torch's order of operations. Each torch
    /// <c>add(x, alpha=a)</c> is one fused multiply-add, as torch's vectorised CPU kernel computes it;
    /// scalar and vector lanes use the same fused operations, so results do not depend on the vector width.
    /// </summary>
    private readonly struct Coefficients(SGD sgd, bool firstMomentumStep)
    {
        private readonly bool _maximize = sgd.Maximize;
        private readonly bool _decay = sgd.WeightDecay != 0f;
        private readonly float _weightDecay = sgd.WeightDecay;
        private readonly bool _momentum = sgd.Momentum != 0f;
        private readonly bool _first = firstMomentumStep;
        private readonly float _momentumFactor = sgd.Momentum;
        private readonly float _keep = 1f - sgd.Dampening;
        private readonly bool _nesterov = sgd.Nesterov;

        public float NegativeLr { get; } = -sgd.Lr;

        public float Direction(float g, float p, ref float buffer)
        {
            if (_maximize)
            {
                g = -g;
            }

            if (_decay)
            {
                g = HardwareFma.MultiplyAdd(p, _weightDecay, g);
            }

            if (_momentum)
            {
                buffer = _first ? g : HardwareFma.MultiplyAdd(g, _keep, buffer * _momentumFactor);
                g = _nesterov ? HardwareFma.MultiplyAdd(buffer, _momentumFactor, g) : buffer;
            }

            return g;
        }

        public Vector512<float> Direction(Vector512<float> g, Vector512<float> p, ref Vector512<float> buffer)
        {
            if (_maximize)
            {
                g = -g;
            }

            if (_decay)
            {
                g = Vector512.FusedMultiplyAdd(p, Vector512.Create(_weightDecay), g);
            }

            if (_momentum)
            {
                buffer = _first ? g : Vector512.FusedMultiplyAdd(g, Vector512.Create(_keep), buffer * _momentumFactor);
                g = _nesterov ? Vector512.FusedMultiplyAdd(buffer, Vector512.Create(_momentumFactor), g) : buffer;
            }

            return g;
        }

        public Vector256<float> Direction(Vector256<float> g, Vector256<float> p, ref Vector256<float> buffer)
        {
            if (_maximize)
            {
                g = -g;
            }

            if (_decay)
            {
                g = Vector256.FusedMultiplyAdd(p, Vector256.Create(_weightDecay), g);
            }

            if (_momentum)
            {
                buffer = _first ? g : Vector256.FusedMultiplyAdd(g, Vector256.Create(_keep), buffer * _momentumFactor);
                g = _nesterov ? Vector256.FusedMultiplyAdd(buffer, Vector256.Create(_momentumFactor), g) : buffer;
            }

            return g;
        }
    }
}
