using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>The checks and the layout dispatch shared by <see cref="SoftmaxKernel"/> and <see cref="LogSoftmaxKernel"/>.</summary>
internal static class SoftmaxArguments
{
    public static void CheckForward(ReadOnlySpan<float> input, ClassLayout layout, Span<float> output)
    {
        ClassLossArguments.RequireLength(input.Length, layout.Length, "The input", layout);
        ClassLossArguments.RequireLength(output.Length, layout.Length, "The output", layout);
        ClassLossArguments.RequireDisjoint(output, input, "The output", "the input");
    }

    public static void CheckBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, ClassLayout layout, Span<float> inputGradient)
    {
        ClassLossArguments.RequireLength(output.Length, layout.Length, "The output", layout);
        ClassLossArguments.RequireLength(outputGradient.Length, layout.Length, "The output gradient", layout);
        ClassLossArguments.RequireLength(inputGradient.Length, layout.Length, "The input gradient", layout);
        ClassLossArguments.RequireDisjoint(inputGradient, output, "The input gradient", "the output");
        ClassLossArguments.RequireDisjoint(inputGradient, outputGradient, "The input gradient", "the output gradient");
    }

    public static void RunForward(ReadOnlySpan<float> input, ClassLayout layout, Span<float> output, bool log)
    {
        if (layout.Length == 0)
        {
            return;
        }

        if (layout.Inner == 1)
        {
            SoftmaxContiguous.Forward(input, output, layout.Batch, layout.Classes, log);
        }
        else
        {
            SoftmaxStrided.Forward(input, output, layout, log);
        }
    }

    public static void RunBackward(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, ClassLayout layout, Span<float> inputGradient, bool log, bool accumulate)
    {
        if (layout.Length == 0)
        {
            return;
        }

        if (layout.Inner == 1)
        {
            SoftmaxContiguous.Backward(output, outputGradient, inputGradient, layout.Batch, layout.Classes, log, accumulate);
        }
        else
        {
            SoftmaxStrided.Backward(output, outputGradient, inputGradient, layout, log, accumulate);
        }
    }
}
