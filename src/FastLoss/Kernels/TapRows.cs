using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// The unfolded input of a convolution with vertical stride 1, without its repeats. For each channel c and kernel
/// column kj there is one plane of H + 2 PH rows by OW columns holding the padded input at (row, ow * SW + kj).
/// im2col row (c, ki, kj) is then that plane from row ki on: OH x OW consecutive values, because consecutive
/// output rows are consecutive plane rows. The planes are KH times smaller than the im2col matrix and take KH
/// times fewer copies to fill; a table of where each im2col row starts (<see cref="FillOffsets"/>) lets the
/// product's packing read them as rows of B (<see cref="GemmOperands.BRows"/>).
/// </summary>
internal static unsafe class TapRows
{
    /// <summary>Writes the planes of <paramref name="image"/> (C x H x W) to <paramref name="planes"/> (<see cref="Conv2dGeometry.TapRowsSize"/> floats).</summary>
    [HotPath]
    public static void Build(in Conv2dGeometry g, float* image, float* planes)
    {
        int height = g.InHeight, width = g.InWidth, outWidth = g.OutWidth, stride = g.StrideWidth;
        int paddedHeight = height + (2 * g.PaddingHeight), padTop = g.PaddingHeight, padLeft = g.PaddingWidth;
        int kernelWidth = g.KernelWidth, channels = g.InChannels;
        float* target = planes;
        for (int c = 0; c < channels; c++)
        {
            float* channel = image + ((nint)c * height * width);
            for (int kj = 0; kj < kernelWidth; kj++)
            {
                // Output column ow reads input column ow * stride + kj - padLeft; [first, end) of them are inside.
                int shift = kj - padLeft;
                int first = shift >= 0 ? 0 : Math.Min(outWidth, (-shift + stride - 1) / stride);
                int end = width - shift <= 0 ? 0 : Math.Min(outWidth, (width - shift + stride - 1) / stride);
                end = Math.Max(end, first);
                for (int r = 0; r < paddedHeight; r++, target += outWidth)
                {
                    int row = r - padTop;
                    if ((uint)row >= (uint)height)
                    {
                        new Span<float>(target, outWidth).Clear();
                        continue;
                    }

                    float* source = channel + ((nint)row * width) + shift;
                    for (int o = 0; o < first; o++)
                    {
                        target[o] = 0f;
                    }

                    if (stride == 1)
                    {
                        Im2Col.Copy(target + first, source + first, end - first);
                    }
                    else
                    {
                        for (int o = first; o < end; o++)
                        {
                            target[o] = source[(nint)o * stride];
                        }
                    }

                    for (int o = end; o < outWidth; o++)
                    {
                        target[o] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Where im2col row (c, ki, kj) starts in the planes, for every row in im2col order (<see cref="Conv2dGeometry.PatchSize"/> values).</summary>
    public static void FillOffsets(in Conv2dGeometry g, Span<int> offsets)
    {
        if (offsets.Length != g.PatchSize)
        {
            throw new ArgumentException($"TapRows: the offset table has {offsets.Length} entries, expected {g.PatchSize}.", nameof(offsets));
        }

        int paddedHeight = g.InHeight + (2 * g.PaddingHeight);
        int row = 0;
        for (int c = 0; c < g.InChannels; c++)
        {
            for (int ki = 0; ki < g.KernelHeight; ki++)
            {
                for (int kj = 0; kj < g.KernelWidth; kj++)
                {
                    offsets[row++] = ((((c * g.KernelWidth) + kj) * paddedHeight) + ki) * g.OutWidth;
                }
            }
        }
    }
}
