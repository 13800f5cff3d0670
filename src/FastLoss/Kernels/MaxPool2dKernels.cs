namespace FastLoss.Kernels;

/// <summary>
/// 2-D max pooling over independent planes (N x C of them, each H x W), as torch's max_pool2d on contiguous
/// NCHW: window (kh, kw) moved by (sh, sw), output floor((H - kh) / sh) + 1 per side. The forward records,
/// per output, the index in its plane of the element that won: the first maximum in row-major window order,
/// or the last NaN when the window holds NaN (NaN beats everything, as in torch's <c>val > max || isnan(val)</c>).
/// The backward routes each output gradient to that element, adding where windows overlap.
/// </summary>
public static class MaxPool2dKernels
{
    /// <summary>The output size of one side, with torch's message when the window does not fit.</summary>
    public static int OutputSize(int inputSize, int kernelSize, int stride)
    {
        if (kernelSize <= 0 || stride <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(kernelSize), $"max_pool2d: kernel_size and stride must be greater than zero, but got kernel_size={kernelSize} stride={stride}");
        }

        int output = inputSize < kernelSize ? 0 : ((inputSize - kernelSize) / stride) + 1;
        if (output < 1)
        {
            throw new ArgumentException(
                $"max_pool2d: output size is too small: input size {inputSize}, kernel size {kernelSize}, stride {stride} give {output}");
        }

        return output;
    }

    /// <summary>Pools <paramref name="planes"/> planes of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static void Forward(
        ReadOnlySpan<float> input, int planes, int height, int width,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
        Span<float> output, Span<int> argmax)
    {
        int outHeight = OutputSize(height, kernelHeight, strideHeight);
        int outWidth = OutputSize(width, kernelWidth, strideWidth);
        Check(input.Length, planes, height, width, output.Length, argmax.Length, outHeight, outWidth);
        int planeSize = height * width;
        int outPlane = outHeight * outWidth;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> x = input.Slice(p * planeSize, planeSize);
            Span<float> y = output.Slice(p * outPlane, outPlane);
            Span<int> winners = argmax.Slice(p * outPlane, outPlane);
            int o = 0;
            for (int oh = 0; oh < outHeight; oh++)
            {
                int top = oh * strideHeight;
                for (int ow = 0; ow < outWidth; ow++, o++)
                {
                    int left = ow * strideWidth;
                    int best = (top * width) + left;
                    float max = float.NegativeInfinity;
                    for (int i = top; i < top + kernelHeight; i++)
                    {
                        int rowStart = i * width;
                        for (int j = left; j < left + kernelWidth; j++)
                        {
                            float value = x[rowStart + j];
                            if (value > max || float.IsNaN(value))
                            {
                                max = value;
                                best = rowStart + j;
                            }
                        }
                    }

                    y[o] = max;
                    winners[o] = best;
                }
            }
        }
    }

    /// <summary>Adds each output gradient into the input element recorded by <see cref="Forward"/>.</summary>
    public static void Backward(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<int> argmax, int planes, int height, int width, Span<float> inputGrad)
    {
        int planeSize = height * width;
        bool planesMatch = planes == 0 ? outputGrad.Length == 0 : outputGrad.Length % planes == 0;
        if (inputGrad.Length != planes * planeSize || argmax.Length != outputGrad.Length || !planesMatch)
        {
            throw new ArgumentException(
                $"max_pool2d backward: {planes} planes of {height}x{width} need an input gradient of {planes * planeSize} elements, got {inputGrad.Length}; output gradient {outputGrad.Length}, indices {argmax.Length}.");
        }

        int outPlane = planes == 0 ? 0 : outputGrad.Length / planes;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> dy = outputGrad.Slice(p * outPlane, outPlane);
            ReadOnlySpan<int> winners = argmax.Slice(p * outPlane, outPlane);
            Span<float> dx = inputGrad.Slice(p * planeSize, planeSize);
            for (int o = 0; o < dy.Length; o++)
            {
                dx[winners[o]] += dy[o];
            }
        }
    }

    private static void Check(int inputLength, int planes, int height, int width, int outputLength, int argmaxLength, int outHeight, int outWidth)
    {
        if (inputLength != planes * height * width)
        {
            throw new ArgumentException($"max_pool2d: the input has {inputLength} elements, expected {planes}x{height}x{width}.");
        }

        int expected = planes * outHeight * outWidth;
        if (outputLength != expected || argmaxLength != expected)
        {
            throw new ArgumentException(
                $"max_pool2d: the output and indices need {planes}x{outHeight}x{outWidth} = {expected} elements, got {outputLength} and {argmaxLength}.");
        }
    }
}
