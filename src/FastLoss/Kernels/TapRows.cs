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
    /// <summary>
    /// Writes the planes of <paramref name="image"/> (C x H x W) to <paramref name="planes"/>
    /// (<see cref="Conv2dGeometry.TapRowsSize"/> floats). <paramref name="padded"/> is scratch of
    /// <see cref="Conv2dGeometry.PaddedInputSize"/> floats: the image is padded first, so that every plane row is
    /// one whole move (one Vector512 for the seed CNN's 16-wide rows) with no edge cases.
    /// </summary>
    [HotPath]
    public static void Build(in Conv2dGeometry g, float* image, float* planes, float* padded)
    {
        int paddedHeight = g.InHeight + (2 * g.PaddingHeight), paddedWidth = g.InWidth + (2 * g.PaddingWidth);
        int outWidth = g.OutWidth, stride = g.StrideWidth, kernelWidth = g.KernelWidth, channels = g.InChannels;
        float* source = image;
        if (g.PaddedInputSize != 0)
        {
            Im2Col.Pad(g, image, padded);
            source = padded;
        }

        float* target = planes;
        for (int c = 0; c < channels; c++)
        {
            float* plane = source + ((nint)c * paddedHeight * paddedWidth);
            for (int kj = 0; kj < kernelWidth; kj++)
            {
                float* line = plane + kj;
                for (int r = 0; r < paddedHeight; r++, target += outWidth, line += paddedWidth)
                {
                    if (stride == 1)
                    {
                        Im2Col.Copy(target, line, outWidth);
                    }
                    else
                    {
                        for (int o = 0; o < outWidth; o++)
                        {
                            target[o] = line[(nint)o * stride];
                        }
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
