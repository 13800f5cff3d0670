using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;
using FastLoss.Generation;

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
    [HotPath]
    public static unsafe void Forward(
        ReadOnlySpan<float> input, int planes, int height, int width,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
        Span<float> output, Span<int> argmax)
    {
        int outHeight = OutputSize(height, kernelHeight, strideHeight);
        int outWidth = OutputSize(width, kernelWidth, strideWidth);
        Check(input.Length, planes, height, width, output.Length, argmax.Length, outHeight, outWidth);
        int planeSize = height * width;
        int outPlane = outHeight * outWidth;
        fixed (float* inputStart = input, outputStart = output)
        fixed (int* argmaxStart = argmax)
        {
            for (int p = 0; p < planes; p++)
            {
                float* x = inputStart + ((nint)p * planeSize);
                float* y = outputStart + ((nint)p * outPlane);
                int* winners = argmaxStart + ((nint)p * outPlane);
                for (int oh = 0; oh < outHeight; oh++)
                {
                    int top = oh * strideHeight;
                    int ow = 0;
                    // Each width has its own test: SSE4.1 without AVX2 (NativeAOT's default instruction set) still
                    // pools four windows at a time rather than one.
                    if (kernelHeight == 2 && kernelWidth == 2 && strideWidth == 2)
                    {
                        if (Avx2.IsSupported)
                        {
                            ow = Pool2x2Vector(x, width, top, outWidth, y + ((nint)oh * outWidth), winners + ((nint)oh * outWidth));
                        }

                        if (Sse41.IsSupported)
                        {
                            ow = Pool2x2Vector128(x, width, top, ow, outWidth, y + ((nint)oh * outWidth), winners + ((nint)oh * outWidth));
                        }
                    }

                    for (; ow < outWidth; ow++)
                    {
                        int left = ow * strideWidth;
                        int best = (top * width) + left;
                        float max = float.NegativeInfinity;
                        for (int i = top; i < top + kernelHeight; i++)
                        {
                            float* row = x + ((nint)i * width);
                            for (int j = left; j < left + kernelWidth; j++)
                            {
                                float value = row[j];
                                if (value > max || float.IsNaN(value))
                                {
                                    max = value;
                                    best = (i * width) + j;
                                }
                            }
                        }

                        y[((nint)oh * outWidth) + ow] = max;
                        winners[((nint)oh * outWidth) + ow] = best;
                    }
                }
            }
        }
    }

    /// <summary>
    /// 2 x 2 windows with horizontal stride 2, eight outputs at a time: the window's four values, in row-major
    /// order, replace the running maximum when greater or NaN, exactly as the scalar rule. Returns the outputs done.
    /// </summary>
    [HotPath]
    private static unsafe int Pool2x2Vector(float* plane, int width, int top, int outWidth, float* y, int* winners)
    {
        float* upper = plane + ((nint)top * width);
        float* lower = upper + width;
        Vector256<int> lanes = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        int ow = 0;
        for (; ow <= outWidth - 8; ow += 8)
        {
            // Split 16 consecutive values into the even (left) and odd (right) columns of 8 windows.
            Deinterleave(upper + (2 * ow), out Vector256<float> a, out Vector256<float> b);
            Deinterleave(lower + (2 * ow), out Vector256<float> c, out Vector256<float> d);
            Vector256<float> max = a;
            Vector256<int> offset = Vector256<int>.Zero;
            Keep(b, 1, ref max, ref offset);
            Keep(c, width, ref max, ref offset);
            Keep(d, width + 1, ref max, ref offset);
            Vector256.Store(max, y + ow);
            Vector256.Store(Vector256.Create((top * width) + (2 * ow)) + lanes + offset, winners + ow);
        }

        return ow;
    }

    /// <summary>
    /// The 2x2 windows from <paramref name="ow"/> on, four at a time (planes 8 or 12 wide, and the rest of wider
    /// rows): the same comparisons as <see cref="Pool2x2Vector"/> on 128-bit vectors. Returns the first window left.
    /// </summary>
    [HotPath]
    private static unsafe int Pool2x2Vector128(float* plane, int width, int top, int ow, int outWidth, float* y, int* winners)
    {
        float* upper = plane + ((nint)top * width);
        float* lower = upper + width;
        Vector128<int> lanes = Vector128.Create(0, 2, 4, 6);
        for (; ow <= outWidth - 4; ow += 4)
        {
            // Split 8 consecutive values into the even (left) and odd (right) columns of 4 windows.
            Vector128<float> upperFirst = Sse.LoadVector128(upper + (2 * ow)), upperSecond = Sse.LoadVector128(upper + (2 * ow) + 4);
            Vector128<float> lowerFirst = Sse.LoadVector128(lower + (2 * ow)), lowerSecond = Sse.LoadVector128(lower + (2 * ow) + 4);
            Vector128<float> a = Sse.Shuffle(upperFirst, upperSecond, 0x88), b = Sse.Shuffle(upperFirst, upperSecond, 0xDD);
            Vector128<float> c = Sse.Shuffle(lowerFirst, lowerSecond, 0x88), d = Sse.Shuffle(lowerFirst, lowerSecond, 0xDD);
            Vector128<float> max = a;
            Vector128<int> offset = Vector128<int>.Zero;
            Keep(b, 1, ref max, ref offset);
            Keep(c, width, ref max, ref offset);
            Keep(d, width + 1, ref max, ref offset);
            Vector128.Store(max, y + ow);
            Vector128.Store(Vector128.Create((top * width) + (2 * ow)) + lanes + offset, winners + ow);
        }

        return ow;
    }

    /// <summary>
    /// Takes <paramref name="candidate"/> in the lanes where it beats <paramref name="max"/> or is NaN (a NaN wins,
    /// as in torch; a tie keeps the first), and records its window offset there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(Vector256<float> candidate, int candidateOffset, ref Vector256<float> max, ref Vector256<int> offset)
    {
        Vector256<float> take = Avx.Or(Avx.CompareGreaterThan(candidate, max), Avx.CompareUnordered(candidate, candidate));
        max = Avx.BlendVariable(max, candidate, take);
        offset = Avx2.BlendVariable(offset, Vector256.Create(candidateOffset), take.AsInt32());
    }

    /// <summary><see cref="Keep(Vector256{float}, int, ref Vector256{float}, ref Vector256{int})"/> on 128-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(Vector128<float> candidate, int candidateOffset, ref Vector128<float> max, ref Vector128<int> offset)
    {
        Vector128<float> take = Sse.Or(Sse.CompareGreaterThan(candidate, max), Sse.CompareUnordered(candidate, candidate));
        max = Sse41.BlendVariable(max, candidate, take);
        offset = Sse41.BlendVariable(offset, Vector128.Create(candidateOffset), take.AsInt32());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Deinterleave(float* source, out Vector256<float> even, out Vector256<float> odd)
    {
        Vector256<float> first = Avx.LoadVector256(source), second = Avx.LoadVector256(source + 8);
        // Within 128-bit lanes: [f0 f2 s0 s2 | f4 f6 s4 s6]; then reorder the 64-bit pairs to f0 f2 f4 f6 s0 s2 s4 s6.
        even = Avx2.Permute4x64(Avx.Shuffle(first, second, 0x88).AsDouble(), 0xD8).AsSingle();
        odd = Avx2.Permute4x64(Avx.Shuffle(first, second, 0xDD).AsDouble(), 0xD8).AsSingle();
    }

    /// <summary>Adds each output gradient into the input element recorded by <see cref="Forward"/>.</summary>
    [HotPath]
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

    /// <summary>
    /// Writes the input gradient (nothing is read from it): each output gradient at its window's winner and 0
    /// everywhere else, plane by plane: a plane is zeroed with one vector fill (the fastest way to write its zeros,
    /// measured against writing each window's elements in one pass) while it is in cache, then the winners are added.
    /// </summary>
    [HotPath]
    public static void WriteGradient(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<int> argmax, int planes, int height, int width, Span<float> inputGrad)
    {
        int planeSize = height * width;
        int outPlane = planes == 0 ? 0 : outputGrad.Length / planes;
        if (inputGrad.Length != planes * planeSize || argmax.Length != outputGrad.Length || outPlane * planes != outputGrad.Length)
        {
            throw new ArgumentException(
                $"max_pool2d backward: {planes} planes of {height}x{width} need an input gradient of {planes * planeSize} elements, got {inputGrad.Length}; output gradient {outputGrad.Length}, indices {argmax.Length}.");
        }

        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> dy = outputGrad.Slice(p * outPlane, outPlane);
            ReadOnlySpan<int> winners = argmax.Slice(p * outPlane, outPlane);
            Span<float> dx = inputGrad.Slice(p * planeSize, planeSize);
            dx.Clear();
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
