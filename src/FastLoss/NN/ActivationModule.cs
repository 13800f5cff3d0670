using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The module form of a generated elementwise activation. Each call computes f(input) into its own result and,
/// when the input requires grad, records a node whose backward gives the input outputGrad * f'(input).
/// </summary>
public abstract class ActivationModule : Module
{
    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input)
    {
        ActivationNode node = arena.Claim<ActivationNode>(this, input.Shape);
        Tensor output = node.Plan(input.Shape);
        Apply(input.Data, output.Data);
        if (arena.WantsGraph(input))
        {
            node.Input = input;
            arena.Record(node, input);
        }

        return output;
    }

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        // No parameters.
    }

    /// <summary>output = f(input), elementwise.</summary>
    protected abstract void Apply(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>inputGrad += outputGrad * f'(input), elementwise.</summary>
    protected abstract void AddGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad);

    /// <summary>inputGrad = outputGrad * f'(input), elementwise (the first gradient to reach the input).</summary>
    protected abstract void WriteGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad);

    /// <summary>
    /// Whether f' is a function of f's value (sigmoid: s (1 - s), tanh: 1 - t^2), so backward reads the output and
    /// evaluates no exponential again, as torch's sigmoid_backward does. The generator finds such activations.
    /// </summary>
    protected virtual bool BackwardReadsOutput => false;

    /// <summary>inputGrad += (or =, when <paramref name="accumulate"/> is false) outputGrad * f' computed from the output.</summary>
    protected virtual void GradientFromOutput(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGrad, Span<float> inputGrad, bool accumulate) =>
        throw new NotSupportedException($"{GetType().Name} backpropagates from its input.");

    /// <summary>One call of an activation: it keeps the input, which f' is evaluated at.</summary>
    private sealed class ActivationNode : Node
    {
        public Tensor? Input { get; set; }

        public Tensor Plan(ReadOnlySpan<int> shape) => PlanOutput(shape);

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            Tensor input = Input!;
            Span<float> inputGrad = BackwardPass.GradientFor(input, out bool accumulate);
            if (inputGrad.IsEmpty)
            {
                return;
            }

            var activation = (ActivationModule)Owner!;
            if (activation.BackwardReadsOutput)
            {
                activation.GradientFromOutput(Output.Data, OutputGrad, inputGrad, accumulate);
            }
            else if (accumulate)
            {
                activation.AddGradient(input.Data, OutputGrad, inputGrad);
            }
            else
            {
                activation.WriteGradient(input.Data, OutputGrad, inputGrad);
            }
        }
    }
}
