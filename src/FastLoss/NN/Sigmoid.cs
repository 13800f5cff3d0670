using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.Sigmoid: 1 / (1 + exp(-x)).</summary>
public sealed class Sigmoid : ActivationModule
{
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output) => SigmoidActivation.Forward(input, output);

    protected override void AddGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) =>
        SigmoidActivation.Backward(input, outputGrad, inputGrad);

    protected override void WriteGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) =>
        SigmoidActivation.Gradient(input, outputGrad, inputGrad);

    protected override bool BackwardReadsOutput => true;

    protected override void GradientFromOutput(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGrad, Span<float> inputGrad, bool accumulate)
    {
        if (accumulate)
        {
            SigmoidActivation.BackwardFromOutput(output, outputGrad, inputGrad);
        }
        else
        {
            SigmoidActivation.GradientFromOutput(output, outputGrad, inputGrad);
        }
    }
}
