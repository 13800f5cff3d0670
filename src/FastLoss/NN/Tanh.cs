using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.Tanh.</summary>
public sealed class Tanh : ActivationModule
{
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output) => TanhActivation.Forward(input, output);

    protected override void AddGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) =>
        TanhActivation.Backward(input, outputGrad, inputGrad);

    protected override void WriteGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) =>
        TanhActivation.Gradient(input, outputGrad, inputGrad);

    protected override bool BackwardReadsOutput => true;

    protected override void GradientFromOutput(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGrad, Span<float> inputGrad, bool accumulate)
    {
        if (accumulate)
        {
            TanhActivation.BackwardFromOutput(output, outputGrad, inputGrad);
        }
        else
        {
            TanhActivation.GradientFromOutput(output, outputGrad, inputGrad);
        }
    }
}
