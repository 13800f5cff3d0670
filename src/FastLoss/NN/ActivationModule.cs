using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The module form of a generated elementwise activation: owns its output (re-planned only when the input shape
/// changes) and its backward node, which adds outputGrad * f'(input) into the input's gradient.
/// </summary>
public abstract class ActivationModule : Module, IBackwardNode
{
    private Tensor? _output;
    private Tensor? _input;

    Tensor IBackwardNode.Output => _output!;

    [HotPath]
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor output = Plan(input);
        Apply(input.Span, output.Span);
        bool record = Tape.IsRecording && input.RequiresGrad;
        output.RequiresGrad = record;
        if (record)
        {
            _input = input;
            Tape.Record(this);
        }

        return output;
    }

    [HotPath]
    void IBackwardNode.Backward()
    {
        var input = _input!;
        AddGradient(input.Span, _output!.Grad!.Span, input.GetOrCreateGrad().Span);
    }

    [HotPath]
    protected internal override void ZeroParameterGrads()
    {
        // No parameters.
    }

    /// <summary>output = f(input), elementwise.</summary>
    protected abstract void Apply(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>inputGrad += outputGrad * f'(input), elementwise.</summary>
    protected abstract void AddGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad);

    private Tensor Plan(Tensor input)
    {
        if (_output is null || !_output.SameShape(input))
        {
            _output = Tensor.Zeros(input.Shape.ToArray());
        }

        return _output;
    }
}
