using FastLoss.Functional.Classification;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// Log-softmax along the dimension described by a <see cref="ClassLayout"/>, computed as (x - max) - log(sum(exp(x - max)))
/// so that logits of any magnitude stay finite; vectorized, allocation-free. Outputs must not overlap inputs.
/// </summary>
public static class LogSoftmaxKernel
{
    [HotPath]
    public static void Forward(ReadOnlySpan<float> input, ClassLayout layout, Span<float> output)
    {
        SoftmaxArguments.CheckForward(input, layout, output);
        SoftmaxArguments.RunForward(input, layout, output, log: true);
    }

    /// <summary>
    /// inputGradient = outputGradient - exp(output) * sum(outputGradient), written, or added when
    /// <paramref name="accumulate"/> is true.
    /// </summary>
    [HotPath]
    public static void Backward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, ClassLayout layout, Span<float> inputGradient, bool accumulate = false)
    {
        SoftmaxArguments.CheckBackward(output, outputGradient, layout, inputGradient);
        SoftmaxArguments.RunBackward(output, outputGradient, layout, inputGradient, log: true, accumulate);
    }
}
