using FastLoss.Functional.Classification;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// Softmax along the dimension described by a <see cref="ClassLayout"/> (contiguous rows when Inner is 1, a strided
/// dimension otherwise), stable (the max is subtracted), vectorized, allocation-free. Outputs must not overlap inputs.
/// </summary>
public static class SoftmaxKernel
{
    /// <summary>output = exp(x - max) / sum(exp(x - max)) along the layout's class dimension.</summary>
    [HotPath]
    public static void Forward(ReadOnlySpan<float> input, ClassLayout layout, Span<float> output)
    {
        SoftmaxArguments.CheckForward(input, layout, output);
        SoftmaxArguments.RunForward(input, layout, output, log: false);
    }

    /// <summary>
    /// inputGradient = output * (outputGradient - sum(outputGradient * output)), written, or added when
    /// <paramref name="accumulate"/> is true.
    /// </summary>
    [HotPath]
    public static void Backward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, ClassLayout layout, Span<float> inputGradient, bool accumulate = false)
    {
        SoftmaxArguments.CheckBackward(output, outputGradient, layout, inputGradient);
        SoftmaxArguments.RunBackward(output, outputGradient, layout, inputGradient, log: false, accumulate);
    }
}
