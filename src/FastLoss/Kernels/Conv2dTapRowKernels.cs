using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// One image's 2-D convolution with a vertical stride of 1, with the same three products as
/// <see cref="Conv2dKernels"/> but without the im2col matrix: its rows are read from the image's
/// <see cref="TapRows"/> through a row table. The input gradient is the convolution of the output gradient with
/// the flipped, transposed weight (<see cref="Conv2dGeometry.Transposed"/>), so it is written straight into the
/// image's gradient with no col2im. The module uses these where the geometry allows: on the seed CNN they remove
/// the unfolding (a quarter of the forward pass's time) and the folding.
/// </summary>
internal static unsafe class Conv2dTapRowKernels
{
    /// <summary>
    /// output (OutC x OH x OW) = weight * unfold(image) + bias, the weight packed whole by
    /// <see cref="GemmPacking.PackWholeA"/> and <paramref name="tapOffsets"/> from <see cref="TapRows.FillOffsets"/>.
    /// <paramref name="planes"/> is scratch of <see cref="Conv2dGeometry.TapRowsScratchSize"/> floats.
    /// </summary>
    [HotPath]
    public static void Forward(
        in Conv2dGeometry g, float* image, ReadOnlySpan<float> bias, float* planes, float* output,
        float* packedWeight, int* tapOffsets)
    {
        TapRows.Build(g, image, planes, planes + g.TapRowsSize);
        int pixels = g.OutputPixels;
        if (pixels == 0)
        {
            return;
        }

        Conv2dKernels.FillWithBias(g, bias, new Span<float>(output, g.OutputSize));

        Gemm.Compute(new GemmOperands(
            false, false, g.OutChannels, pixels, g.PatchSize, 1f, null, g.PatchSize, planes, 0,
            accumulate: !bias.IsEmpty, output, pixels, packedWeight) { BRows = tapOffsets });
    }

    /// <summary>
    /// Adds this image's share of the weight gradient: output gradient x unfold(image)^T into
    /// <paramref name="weightGrad"/> (OutC x PatchSize), or, with <paramref name="transposed"/>, its transpose
    /// unfold(image) x output gradient^T into a PatchSize x OutC matrix. The transposed form suits a patch that is
    /// not a multiple of the tile width (conv1's 75 taps would fill 96 columns, but only 80 rows).
    /// </summary>
    [HotPath]
    public static void AccumulateWeightGrad(
        in Conv2dGeometry g, float* image, float* outputGrad, float* planes, float* weightGrad, int* tapOffsets,
        bool transposed)
    {
        int pixels = g.OutputPixels;
        if (pixels == 0)
        {
            return;
        }

        TapRows.Build(g, image, planes, planes + g.TapRowsSize);
        int outChannels = g.OutChannels, patch = g.PatchSize;
        GemmOperands operands = transposed
            ? new GemmOperands(false, true, patch, outChannels, pixels, 1f, planes, 0, outputGrad, pixels, true, weightGrad, outChannels) { ARows = tapOffsets }
            : new GemmOperands(false, true, outChannels, patch, pixels, 1f, outputGrad, pixels, planes, 0, true, weightGrad, patch) { BRows = tapOffsets };
        Gemm.Compute(operands);
    }

    /// <summary>
    /// Adds (or, without <paramref name="accumulate"/>, writes) the gradient of one input image (C x H x W): the <see cref="Conv2dGeometry.Transposed"/> convolution
    /// of the output gradient with the weight flipped and transposed by <see cref="FlipTranspose"/>, packed whole.
    /// <paramref name="transposedTapOffsets"/> is the offset table of the transposed geometry and
    /// <paramref name="planes"/> is scratch of its <see cref="Conv2dGeometry.TapRowsScratchSize"/>.
    /// </summary>
    [HotPath]
    public static void AccumulateInputGrad(
        in Conv2dGeometry g, float* outputGrad, float* planes, float* imageGrad, float* packedFlippedWeight,
        int* transposedTapOffsets, bool accumulate = true)
    {
        Conv2dGeometry t = g.Transposed;
        TapRows.Build(t, outputGrad, planes, planes + t.TapRowsSize);
        int pixels = g.InHeight * g.InWidth;
        Gemm.Compute(new GemmOperands(
            false, false, g.InChannels, pixels, t.PatchSize, 1f, null, t.PatchSize, planes, 0,
            accumulate, imageGrad, pixels, packedFlippedWeight) { BRows = transposedTapOffsets });
    }

    /// <summary>
    /// The weight of the transposed convolution: flipped[c, o, ki, kj] = weight[o, c, KH - 1 - ki, KW - 1 - kj]
    /// (C x OutC x KH x KW).
    /// </summary>
    [HotPath]
    public static void FlipTranspose(in Conv2dGeometry g, ReadOnlySpan<float> weight, Span<float> flipped)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, taps = kh * kw;
        int inChannels = g.InChannels, outChannels = g.OutChannels;
        for (int o = 0; o < outChannels; o++)
        {
            for (int c = 0; c < inChannels; c++)
            {
                ReadOnlySpan<float> source = weight.Slice(((o * inChannels) + c) * taps, taps);
                Span<float> target = flipped.Slice(((c * outChannels) + o) * taps, taps);
                for (int i = 0; i < taps; i++)
                {
                    target[taps - 1 - i] = source[i];
                }
            }
        }
    }

    /// <summary>
    /// Whether the weight gradient is better computed transposed (PatchSize x OutC). With Vector512 the tap rows are
    /// then A, read in place with no packing at all; measured on the seed CNN's layers that wins from 256 output
    /// pixels up (conv1: 84 to 57 us per image, conv2: 144 to 128 us) and is even at 64 (conv3), where the
    /// untransposed form is kept. Without Vector512 both forms pack, and the one that wastes less of the register
    /// tile (MR rows by NR columns) on the patch and channel edges is taken; ties keep OutC x PatchSize.
    /// </summary>
    public static bool PrefersTransposedWeightGrad(in Conv2dGeometry g)
    {
        GemmTiling tiling = GemmTiling.Current;
        if (tiling.IsWide && g.OutputPixels >= 128)
        {
            return true;
        }

        long direct = (long)GemmPacking.RoundUp(g.OutChannels, tiling.Mr) * GemmPacking.RoundUp(g.PatchSize, tiling.Nr);
        long transposed = (long)GemmPacking.RoundUp(g.PatchSize, tiling.Mr) * GemmPacking.RoundUp(g.OutChannels, tiling.Nr);
        return transposed < direct;
    }

    /// <summary>
    /// Whether the input gradient is better computed as the transposed convolution than by im2col and col2im. Its
    /// product has one row per input channel, so with few channels most of each register tile is wasted (3 input
    /// channels: 145 us per image against 64 for im2col, measured on conv1); it is used when at most a quarter of
    /// the rows are padding (measured on conv2: 159 to 125 us, conv3: 80 to 64 us).
    /// </summary>
    public static bool PrefersTransposedConvolution(in Conv2dGeometry g)
    {
        int rows = GemmPacking.RoundUp(g.InChannels, GemmTiling.Current.Mr);
        return g.HasTransposedConvolution && 4 * rows <= 5 * g.InChannels;
    }
}
