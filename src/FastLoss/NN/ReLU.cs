using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.ReLU: max(x, 0), gradient 0 at 0.</summary>
public sealed class ReLU : ActivationModule
{
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output) => ReluActivation.Forward(input, output);

    protected override void AddGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) =>
        ReluActivation.Backward(input, outputGrad, inputGrad);

    protected override void WriteGradient(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGrad, Span<float> inputGrad) =>
        ReluActivation.Gradient(input, outputGrad, inputGrad);
}
