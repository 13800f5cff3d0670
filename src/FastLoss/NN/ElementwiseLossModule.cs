using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The module form shared by the elementwise losses: torch's shape rules and reduction, weights broadcast to
/// the input's shape, and autograd. When the input requires grad, forward runs the fused kernel, which
/// writes the gradient while computing the loss; backward then only scales it by the upstream gradient.
/// The returned loss tensor and every buffer belong to the module and are reused while shapes stay the
/// same, so a step allocates nothing; the loss tensor is overwritten by the next call.
/// </summary>
public abstract class ElementwiseLossModule : IBackwardNode
{
    private readonly Tensor _scalarOutput = Tensor.Scalar(0f);
    private Tensor? _shapedOutput;
    private Tensor _output = Tensor.Scalar(0f);
    private Tensor? _input;
    private Tensor? _target;
    private float[] _gradient = [];
    private float[] _weight = [];
    private float[] _posWeight = [];

    protected ElementwiseLossModule(Reduction reduction)
    {
        if (!Enum.IsDefined(reduction))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), $"{reduction} is not a valid value for reduction");
        }

        Reduction = reduction;
    }

    /// <summary>How the per-element terms are reduced.</summary>
    public Reduction Reduction { get; }

    Tensor IBackwardNode.Output => _output;

    /// <summary>
    /// The loss of <paramref name="input"/> against <paramref name="target"/> (same shape): a 0-dim tensor for
    /// sum and mean, the input's shape for none. Records a backward step when the input requires grad.
    /// </summary>
    [HotPath]
    public Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!input.SameShape(target))
        {
            throw new ArgumentException(ShapeMismatchMessage(input.ShapeText, target.ShapeText), nameof(target));
        }

        ReadOnlySpan<float> weight = Broadcast(WeightTensor, input, ref _weight);
        ReadOnlySpan<float> posWeight = Broadcast(PosWeightTensor, input, ref _posWeight);
        bool record = Tape.IsRecording && input.RequiresGrad;

        if (Reduction == Reduction.None)
        {
            var output = PlanShaped(input);
            ForwardNone(input.Span, target.Span, output.Span, weight, posWeight);
            _output = output;
        }
        else
        {
            var output = _scalarOutput;
            float value;
            if (record)
            {
                value = ForwardBackward(input.Span, target.Span, GradientBuffer(input.Length), Reduction, weight, posWeight);
            }
            else
            {
                value = Forward(input.Span, target.Span, Reduction, weight, posWeight);
            }

            output.Span[0] = value;
            _output = output;
        }

        _output.RequiresGrad = record;
        if (record)
        {
            _input = input;
            _target = target;
            Tape.Record(this);
        }

        return _output;
    }

    [HotPath]
    void IBackwardNode.Backward()
    {
        var input = _input!;
        Span<float> inputGrad = input.GetOrCreateGrad().Span;
        ReadOnlySpan<float> upstream = _output.Grad!.Span;
        if (Reduction == Reduction.None)
        {
            Span<float> gradient = GradientBuffer(input.Length);
            ReadOnlySpan<float> weight = Broadcast(WeightTensor, input, ref _weight);
            ReadOnlySpan<float> posWeight = Broadcast(PosWeightTensor, input, ref _posWeight);
            BackwardNone(input.Span, _target!.Span, upstream, gradient, weight, posWeight);
            TensorPrimitives.Add(inputGrad, gradient, inputGrad);
        }
        else
        {
            // The fused forward already wrote d(loss)/d(input); the chain rule scales it by the upstream gradient.
            TensorPrimitives.MultiplyAdd(_gradient.AsSpan(0, input.Length), upstream[0], inputGrad, inputGrad);
        }
    }

    /// <summary>The per-element weight (BCE), broadcast to the input's shape; null when the loss has none.</summary>
    protected virtual Tensor? WeightTensor => null;

    /// <summary>BCEWithLogits' pos_weight, broadcast along the class (last) dimension; null when absent.</summary>
    protected virtual Tensor? PosWeightTensor => null;

    /// <summary>Torch's message when input and target shapes differ (each loss words it as torch does).</summary>
    protected virtual string ShapeMismatchMessage(string inputShape, string targetShape) =>
        $"Using a target size ({targetShape}) that is different to the input size ({inputShape}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.";

    protected abstract float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight);

    protected abstract void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight);

    protected abstract float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight);

    protected abstract void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight);

    /// <summary>The module's gradient scratch, grown (once) to the input's length.</summary>
    private Span<float> GradientBuffer(int length)
    {
        if (_gradient.Length < length)
        {
            _gradient = new float[length];
        }

        return _gradient.AsSpan(0, length);
    }

    private Tensor PlanShaped(Tensor input)
    {
        if (_shapedOutput is null || !_shapedOutput.SameShape(input))
        {
            _shapedOutput = Tensor.Zeros(input.Shape.ToArray());
        }

        return _shapedOutput;
    }

    /// <summary>The operand expanded to the input's shape in a reused buffer; empty when there is none.</summary>
    private static ReadOnlySpan<float> Broadcast(Tensor? operand, Tensor input, ref float[] buffer)
    {
        if (operand is null)
        {
            return default;
        }

        if (operand.SameShape(input))
        {
            return operand.Span;
        }

        if (buffer.Length != input.Length)
        {
            buffer = new float[input.Length];
        }

        Broadcasting.Expand(operand, input.Shape, buffer);
        return buffer;
    }
}
