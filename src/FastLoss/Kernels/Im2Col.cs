using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// Unfolds one image into the matrix whose product with the weight is the convolution (im2col), and folds the
/// gradient of that matrix back onto the image (col2im). Row (c, ki, kj) holds, for every output pixel, the
/// input value under kernel tap (ki, kj) of channel c, or 0 where the tap falls in the padding. The image is
/// first copied into a zero-padded buffer, so every output row is one plain (or strided) move with no edge cases.
/// </summary>
public static class Im2Col
{
    /// <summary>
    /// Writes the unfolded <paramref name="image"/> (C x H x W) into <paramref name="columns"/>
    /// (PatchSize x OutputPixels). <paramref name="padded"/> is scratch of <see cref="Conv2dGeometry.PaddedInputSize"/> floats.
    /// </summary>
    [HotPath]
    public static unsafe void Unfold(in Conv2dGeometry g, ReadOnlySpan<float> image, Span<float> columns, Span<float> padded)
    {
        Check(g, image.Length, columns.Length, padded.Length);
        int outWidth = g.OutWidth, strideWidth = g.StrideWidth;
        int paddedHeight = g.InHeight + (2 * g.PaddingHeight), paddedWidth = g.InWidth + (2 * g.PaddingWidth);
        fixed (float* imageStart = image, columnsStart = columns, paddedStart = padded)
        {
            float* source = imageStart;
            if (g.PaddedInputSize != 0)
            {
                Pad(g, imageStart, paddedStart);
                source = paddedStart;
            }

            float* target = columnsStart;
            for (int c = 0; c < g.InChannels; c++)
            {
                float* plane = source + ((nint)c * paddedHeight * paddedWidth);
                for (int ki = 0; ki < g.KernelHeight; ki++)
                {
                    for (int kj = 0; kj < g.KernelWidth; kj++)
                    {
                        float* tap = plane + ((nint)ki * paddedWidth) + kj;
                        for (int oh = 0; oh < g.OutHeight; oh++, target += outWidth)
                        {
                            float* line = tap + ((nint)oh * g.StrideHeight * paddedWidth);
                            if (strideWidth == 1)
                            {
                                Copy(target, line, outWidth);
                            }
                            else
                            {
                                for (int ow = 0; ow < outWidth; ow++)
                                {
                                    target[ow] = line[(nint)ow * strideWidth];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds the folded <paramref name="columns"/> (PatchSize x OutputPixels) into <paramref name="image"/>
    /// (C x H x W). <paramref name="padded"/> is scratch of <see cref="Conv2dGeometry.PaddedInputSize"/> floats.
    /// </summary>
    [HotPath]
    public static unsafe void FoldAdd(in Conv2dGeometry g, ReadOnlySpan<float> columns, Span<float> image, Span<float> padded)
    {
        Check(g, image.Length, columns.Length, padded.Length);
        int outWidth = g.OutWidth, strideWidth = g.StrideWidth;
        int paddedHeight = g.InHeight + (2 * g.PaddingHeight), paddedWidth = g.InWidth + (2 * g.PaddingWidth);
        fixed (float* imageStart = image, columnsStart = columns, paddedStart = padded)
        {
            // Without padding the image itself is the accumulator; with it, a zeroed padded copy whose
            // interior is added back at the end (what lands in the padding is dropped).
            float* target = imageStart;
            if (g.PaddedInputSize != 0)
            {
                padded.Clear();
                target = paddedStart;
            }

            float* source = columnsStart;
            for (int c = 0; c < g.InChannels; c++)
            {
                float* plane = target + ((nint)c * paddedHeight * paddedWidth);
                for (int ki = 0; ki < g.KernelHeight; ki++)
                {
                    for (int kj = 0; kj < g.KernelWidth; kj++)
                    {
                        float* tap = plane + ((nint)ki * paddedWidth) + kj;
                        for (int oh = 0; oh < g.OutHeight; oh++, source += outWidth)
                        {
                            float* line = tap + ((nint)oh * g.StrideHeight * paddedWidth);
                            if (strideWidth == 1)
                            {
                                AddInto(line, source, outWidth);
                            }
                            else
                            {
                                for (int ow = 0; ow < outWidth; ow++)
                                {
                                    line[(nint)ow * strideWidth] += source[ow];
                                }
                            }
                        }
                    }
                }
            }

            if (g.PaddedInputSize != 0)
            {
                for (int c = 0; c < g.InChannels; c++)
                {
                    for (int ih = 0; ih < g.InHeight; ih++)
                    {
                        float* row = paddedStart + ((((nint)c * paddedHeight) + ih + g.PaddingHeight) * paddedWidth) + g.PaddingWidth;
                        AddInto(imageStart + ((((nint)c * g.InHeight) + ih) * g.InWidth), row, g.InWidth);
                    }
                }
            }
        }
    }

    /// <summary>Copies the image into the middle of a (H + 2 PH) x (W + 2 PW) plane per channel with a zero border.</summary>
    [HotPath]
    internal static unsafe void Pad(in Conv2dGeometry g, float* image, float* padded)
    {
        // Only the border is zeroed; every interior value is written by the copy.
        int height = g.InHeight, width = g.InWidth, top = g.PaddingHeight, left = g.PaddingWidth;
        int paddedHeight = height + (2 * top), paddedWidth = width + (2 * left);
        float* row = padded;
        for (int c = 0; c < g.InChannels; c++)
        {
            float* source = image + ((nint)c * height * width);
            new Span<float>(row, top * paddedWidth).Clear();
            row += top * paddedWidth;
            for (int ih = 0; ih < height; ih++, row += paddedWidth, source += width)
            {
                new Span<float>(row, left).Clear();
                Copy(row + left, source, width);
                new Span<float>(row + left + width, left).Clear();
            }

            new Span<float>(row, top * paddedWidth).Clear();
            row += top * paddedWidth;
        }
    }

    /// <summary>Copies <paramref name="count"/> floats with the widest vectors that fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Copy(float* target, float* source, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= count - 16; i += 16)
            {
                Vector512.Store(Vector512.Load(source + i), target + i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - 8; i += 8)
            {
                Vector256.Store(Vector256.Load(source + i), target + i);
            }
        }

        if (Vector128.IsHardwareAccelerated && i <= count - 4)
        {
            Vector128.Store(Vector128.Load(source + i), target + i);
            i += 4;
        }

        for (; i < count; i++)
        {
            target[i] = source[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddInto(float* target, float* source, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= count - 16; i += 16)
            {
                Vector512.Store(Vector512.Load(target + i) + Vector512.Load(source + i), target + i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - 8; i += 8)
            {
                Vector256.Store(Vector256.Load(target + i) + Vector256.Load(source + i), target + i);
            }
        }

        if (Vector128.IsHardwareAccelerated && i <= count - 4)
        {
            Vector128.Store(Vector128.Load(target + i) + Vector128.Load(source + i), target + i);
            i += 4;
        }

        for (; i < count; i++)
        {
            target[i] += source[i];
        }
    }

    private static void Check(in Conv2dGeometry g, int imageLength, int columnsLength, int paddedLength)
    {
        if (imageLength != g.InputSize)
        {
            throw new ArgumentException($"Im2Col: the image has {imageLength} elements, expected {g.InChannels}x{g.InHeight}x{g.InWidth} = {g.InputSize}.");
        }

        if (columnsLength != g.ColumnsSize)
        {
            throw new ArgumentException($"Im2Col: the columns have {columnsLength} elements, expected {g.PatchSize}x{g.OutputPixels} = {g.ColumnsSize}.");
        }

        if (paddedLength < g.PaddedInputSize)
        {
            throw new ArgumentException($"Im2Col: the padded scratch has {paddedLength} elements, expected at least {g.PaddedInputSize}.");
        }
    }
}
