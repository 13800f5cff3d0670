using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastLoss.Kernels;

/// <summary>
/// Unfolds one image into the matrix whose product with the weight is the convolution (im2col), and folds the
/// gradient of that matrix back onto the image (col2im). Row (c, ki, kj) holds, for every output pixel, the
/// input value under kernel tap (ki, kj) of channel c, or 0 where the tap falls in the padding. Lines are short
/// (an output row), so the per-line work is kept to a few vector moves.
/// </summary>
public static class Im2Col
{
    /// <summary>Writes the unfolded <paramref name="image"/> (C x H x W) into <paramref name="columns"/> (PatchSize x OutputPixels).</summary>
    public static unsafe void Unfold(in Conv2dGeometry g, ReadOnlySpan<float> image, Span<float> columns)
    {
        Check(g, image.Length, columns.Length);
        int outWidth = g.OutWidth, inWidth = g.InWidth, strideWidth = g.StrideWidth;
        fixed (float* imageStart = image, columnsStart = columns)
        {
            float* target = columnsStart;
            for (int c = 0; c < g.InChannels; c++)
            {
                float* plane = imageStart + ((nint)c * g.InHeight * inWidth);
                for (int ki = 0; ki < g.KernelHeight; ki++)
                {
                    for (int kj = 0; kj < g.KernelWidth; kj++)
                    {
                        ColumnRange(g, kj, out int first, out int end);
                        int count = end - first;
                        int shift = (first * strideWidth) - g.PaddingWidth + kj;
                        for (int oh = 0; oh < g.OutHeight; oh++, target += outWidth)
                        {
                            int ih = (oh * g.StrideHeight) - g.PaddingHeight + ki;
                            if ((uint)ih >= (uint)g.InHeight || count <= 0)
                            {
                                Clear(target, outWidth);
                                continue;
                            }

                            Clear(target, first);
                            Clear(target + end, outWidth - end);
                            float* source = plane + ((nint)ih * inWidth) + shift;
                            if (strideWidth == 1)
                            {
                                Copy(target + first, source, count);
                            }
                            else
                            {
                                for (int ow = 0; ow < count; ow++)
                                {
                                    target[first + ow] = source[(nint)ow * strideWidth];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds the folded <paramref name="columns"/> (PatchSize x OutputPixels) into <paramref name="image"/> (C x H x W).</summary>
    public static unsafe void FoldAdd(in Conv2dGeometry g, ReadOnlySpan<float> columns, Span<float> image)
    {
        Check(g, image.Length, columns.Length);
        int outWidth = g.OutWidth, inWidth = g.InWidth, strideWidth = g.StrideWidth;
        fixed (float* imageStart = image, columnsStart = columns)
        {
            float* source = columnsStart;
            for (int c = 0; c < g.InChannels; c++)
            {
                float* plane = imageStart + ((nint)c * g.InHeight * inWidth);
                for (int ki = 0; ki < g.KernelHeight; ki++)
                {
                    for (int kj = 0; kj < g.KernelWidth; kj++)
                    {
                        ColumnRange(g, kj, out int first, out int end);
                        int count = end - first;
                        int shift = (first * strideWidth) - g.PaddingWidth + kj;
                        for (int oh = 0; oh < g.OutHeight; oh++, source += outWidth)
                        {
                            int ih = (oh * g.StrideHeight) - g.PaddingHeight + ki;
                            if ((uint)ih >= (uint)g.InHeight || count <= 0)
                            {
                                continue;
                            }

                            float* target = plane + ((nint)ih * inWidth) + shift;
                            if (strideWidth == 1)
                            {
                                AddInto(target, source + first, count);
                            }
                            else
                            {
                                for (int ow = 0; ow < count; ow++)
                                {
                                    target[(nint)ow * strideWidth] += source[first + ow];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns [first, end) whose tap kj lands inside the input row (the rest is padding).</summary>
    private static void ColumnRange(in Conv2dGeometry g, int kj, out int first, out int end)
    {
        // iw = ow * s - p + kj must satisfy 0 <= iw < W.
        int offset = kj - g.PaddingWidth;
        first = offset >= 0 ? 0 : (-offset + g.StrideWidth - 1) / g.StrideWidth;
        int limit = g.InWidth - offset; // ow * s < limit
        end = limit <= 0 ? 0 : Math.Min(g.OutWidth, ((limit - 1) / g.StrideWidth) + 1);
        first = Math.Min(first, g.OutWidth);
        if (end < first)
        {
            end = first;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* target, float* source, int count)
    {
        int i = 0;
        for (; i <= count - 16; i += 16)
        {
            Vector512.Store(Vector512.Load(source + i), target + i);
        }

        for (; i <= count - 4; i += 4)
        {
            Vector128.Store(Vector128.Load(source + i), target + i);
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
        for (; i <= count - 16; i += 16)
        {
            Vector512.Store(Vector512.Load(target + i) + Vector512.Load(source + i), target + i);
        }

        for (; i <= count - 4; i += 4)
        {
            Vector128.Store(Vector128.Load(target + i) + Vector128.Load(source + i), target + i);
        }

        for (; i < count; i++)
        {
            target[i] += source[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Clear(float* target, int count)
    {
        int i = 0;
        for (; i <= count - 4; i += 4)
        {
            Vector128.Store(Vector128<float>.Zero, target + i);
        }

        for (; i < count; i++)
        {
            target[i] = 0f;
        }
    }

    private static void Check(in Conv2dGeometry g, int imageLength, int columnsLength)
    {
        if (imageLength != g.InputSize)
        {
            throw new ArgumentException($"Im2Col: the image has {imageLength} elements, expected {g.InChannels}x{g.InHeight}x{g.InWidth} = {g.InputSize}.");
        }

        if (columnsLength != g.ColumnsSize)
        {
            throw new ArgumentException($"Im2Col: the columns have {columnsLength} elements, expected {g.PatchSize}x{g.OutputPixels} = {g.ColumnsSize}.");
        }
    }
}
