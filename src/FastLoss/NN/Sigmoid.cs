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
}
