namespace FastLoss.Kernels;

/// <summary>
/// Unfolds one image into the matrix whose product with the weight is the convolution (im2col), and folds the
/// gradient of that matrix back onto the image (col2im). Row (c, ki, kj) holds, for every output pixel, the
/// input value under kernel tap (ki, kj) of channel c, or 0 where the tap falls in the padding.
/// </summary>
public static class Im2Col
{
    /// <summary>Writes the unfolded <paramref name="image"/> (C x H x W) into <paramref name="columns"/> (PatchSize x OutputPixels).</summary>
    public static void Unfold(in Conv2dGeometry g, ReadOnlySpan<float> image, Span<float> columns)
    {
        Check(g, image.Length, columns.Length);
        int pixels = g.OutputPixels;
        int row = 0;
        for (int c = 0; c < g.InChannels; c++)
        {
            ReadOnlySpan<float> plane = image.Slice(c * g.InHeight * g.InWidth, g.InHeight * g.InWidth);
            for (int ki = 0; ki < g.KernelHeight; ki++)
            {
                for (int kj = 0; kj < g.KernelWidth; kj++, row++)
                {
                    Span<float> target = columns.Slice(row * pixels, pixels);
                    ColumnRange(g, kj, out int first, out int end);
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        Span<float> line = target.Slice(oh * g.OutWidth, g.OutWidth);
                        int ih = (oh * g.StrideHeight) - g.PaddingHeight + ki;
                        if ((uint)ih >= (uint)g.InHeight || first >= end)
                        {
                            line.Clear();
                            continue;
                        }

                        line[..first].Clear();
                        line[end..].Clear();
                        ReadOnlySpan<float> source = plane.Slice(ih * g.InWidth, g.InWidth);
                        int iw = (first * g.StrideWidth) - g.PaddingWidth + kj;
                        if (g.StrideWidth == 1)
                        {
                            source.Slice(iw, end - first).CopyTo(line[first..end]);
                        }
                        else
                        {
                            for (int ow = first; ow < end; ow++, iw += g.StrideWidth)
                            {
                                line[ow] = source[iw];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds the folded <paramref name="columns"/> (PatchSize x OutputPixels) into <paramref name="image"/> (C x H x W).</summary>
    public static void FoldAdd(in Conv2dGeometry g, ReadOnlySpan<float> columns, Span<float> image)
    {
        Check(g, image.Length, columns.Length);
        int pixels = g.OutputPixels;
        int row = 0;
        for (int c = 0; c < g.InChannels; c++)
        {
            Span<float> plane = image.Slice(c * g.InHeight * g.InWidth, g.InHeight * g.InWidth);
            for (int ki = 0; ki < g.KernelHeight; ki++)
            {
                for (int kj = 0; kj < g.KernelWidth; kj++, row++)
                {
                    ReadOnlySpan<float> source = columns.Slice(row * pixels, pixels);
                    ColumnRange(g, kj, out int first, out int end);
                    if (first >= end)
                    {
                        continue;
                    }

                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        int ih = (oh * g.StrideHeight) - g.PaddingHeight + ki;
                        if ((uint)ih >= (uint)g.InHeight)
                        {
                            continue;
                        }

                        ReadOnlySpan<float> line = source.Slice(oh * g.OutWidth, g.OutWidth);
                        Span<float> target = plane.Slice(ih * g.InWidth, g.InWidth);
                        int iw = (first * g.StrideWidth) - g.PaddingWidth + kj;
                        if (g.StrideWidth == 1)
                        {
                            Span<float> segment = target.Slice(iw, end - first);
                            System.Numerics.Tensors.TensorPrimitives.Add(segment, line[first..end], segment);
                        }
                        else
                        {
                            for (int ow = first; ow < end; ow++, iw += g.StrideWidth)
                            {
                                target[iw] += line[ow];
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
