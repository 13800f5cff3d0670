using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// One image's 2-D convolution through im2col and <see cref="Gemm"/>: the output is the weight (OutC x PatchSize)
/// times the unfolded input (PatchSize x OutputPixels). The backward passes are the two other products:
/// weight gradient = output gradient x unfolded input^T, unfolded input gradient = weight^T x output gradient.
/// </summary>
public static class Conv2dKernels
{
    /// <summary>
    /// output (OutC x OH x OW) = weight * unfold(image) + bias. <paramref name="bias"/> is empty for none.
    /// <paramref name="scratch"/> holds <see cref="Conv2dGeometry.ScratchSize"/> floats (the unfolded and the padded image).
    /// </summary>
    [HotPath]
    public static unsafe void Forward(
        in Conv2dGeometry g, ReadOnlySpan<float> image, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> scratch, Span<float> output) => Forward(g, image, weight, bias, scratch, output, packedWeight: null);

    /// <summary>
    /// <see cref="Forward(in Conv2dGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>
    /// with the weight already packed by <see cref="GemmPacking.PackWholeA"/> (once per batch instead of once per image).
    /// </summary>
    [HotPath]
    internal static unsafe void Forward(
        in Conv2dGeometry g, ReadOnlySpan<float> image, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> scratch, Span<float> output, float* packedWeight)
    {
        CheckSizes(g, image.Length, weight.Length, output.Length);
        if (!bias.IsEmpty && bias.Length != g.OutChannels)
        {
            throw new ArgumentException($"Conv2d: the bias has {bias.Length} elements, expected {g.OutChannels}.", nameof(bias));
        }

        CheckScratch(g, scratch.Length);
        Span<float> columns = scratch[..g.ColumnsSize];
        Im2Col.Unfold(g, image, columns, scratch[g.ColumnsSize..]);
        int pixels = g.OutputPixels;
        FillWithBias(g, bias, output);

        fixed (float* w = weight, col = columns, y = output)
        {
            Gemm.Run(false, false, g.OutChannels, pixels, g.PatchSize, 1f, w, g.PatchSize, col, pixels,
                bias.IsEmpty ? 0f : 1f, y, pixels, packedWeight);
        }
    }

    /// <summary>
    /// Sets every output channel's plane to its bias, the starting value the forward product adds to; nothing for
    /// an empty bias.
    /// </summary>
    [HotPath]
    internal static void FillWithBias(in Conv2dGeometry g, ReadOnlySpan<float> bias, Span<float> output)
    {
        int pixels = g.OutputPixels;
        for (int o = 0; o < bias.Length; o++)
        {
            output.Slice(o * pixels, pixels).Fill(bias[o]);
        }
    }

    /// <summary>Adds this image's share of the weight gradient (OutC x PatchSize). <paramref name="scratch"/> is as for the forward pass.</summary>
    [HotPath]
    public static unsafe void AccumulateWeightGrad(
        in Conv2dGeometry g, ReadOnlySpan<float> image, ReadOnlySpan<float> outputGrad,
        Span<float> scratch, Span<float> weightGrad)
    {
        CheckSizes(g, image.Length, weightGrad.Length, outputGrad.Length);
        int pixels = g.OutputPixels;
        CheckScratch(g, scratch.Length);
        Span<float> columns = scratch[..g.ColumnsSize];
        Im2Col.Unfold(g, image, columns, scratch[g.ColumnsSize..]);
        fixed (float* dy = outputGrad, col = columns, dw = weightGrad)
        {
            Gemm.Run(false, true, g.OutChannels, g.PatchSize, pixels, 1f, dy, pixels, col, pixels, 1f, dw, g.PatchSize);
        }
    }

    /// <summary>Adds this image's share of the bias gradient: the sum of each output channel's gradient.</summary>
    [HotPath]
    public static void AccumulateBiasGrad(in Conv2dGeometry g, ReadOnlySpan<float> outputGrad, Span<float> biasGrad)
    {
        if (outputGrad.Length != g.OutputSize || biasGrad.Length != g.OutChannels)
        {
            throw new ArgumentException(
                $"Conv2d: the output gradient has {outputGrad.Length} elements and the bias gradient {biasGrad.Length}, expected {g.OutputSize} and {g.OutChannels}.");
        }

        int pixels = g.OutputPixels;
        for (int o = 0; o < g.OutChannels; o++)
        {
            biasGrad[o] += System.Numerics.Tensors.TensorPrimitives.Sum(outputGrad.Slice(o * pixels, pixels));
        }
    }

    /// <summary>Adds the gradient of one input image (C x H x W). <paramref name="scratch"/> is as for the forward pass.</summary>
    [HotPath]
    public static unsafe void AccumulateInputGrad(
        in Conv2dGeometry g, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGrad,
        Span<float> scratch, Span<float> imageGrad) => AccumulateInputGrad(g, weight, outputGrad, scratch, imageGrad, packedWeightT: null);

    /// <summary>
    /// <see cref="AccumulateInputGrad(in Conv2dGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float})"/>
    /// with the weight's transpose already packed by <see cref="GemmPacking.PackWholeA"/>.
    /// </summary>
    [HotPath]
    internal static unsafe void AccumulateInputGrad(
        in Conv2dGeometry g, ReadOnlySpan<float> weight, ReadOnlySpan<float> outputGrad,
        Span<float> scratch, Span<float> imageGrad, float* packedWeightT)
    {
        CheckSizes(g, imageGrad.Length, weight.Length, outputGrad.Length);
        CheckScratch(g, scratch.Length);
        Span<float> columns = scratch[..g.ColumnsSize];
        int pixels = g.OutputPixels;
        fixed (float* w = weight, dy = outputGrad, dcol = columns)
        {
            Gemm.Run(true, false, g.PatchSize, pixels, g.OutChannels, 1f, w, g.PatchSize, dy, pixels, 0f, dcol, pixels, packedWeightT);
        }

        Im2Col.FoldAdd(g, columns, imageGrad, scratch[g.ColumnsSize..]);
    }

    private static void CheckScratch(in Conv2dGeometry g, int scratchLength)
    {
        if (scratchLength < g.ScratchSize)
        {
            throw new ArgumentException($"Conv2d: the scratch has {scratchLength} elements, expected at least {g.ScratchSize}.");
        }
    }

    private static void CheckSizes(in Conv2dGeometry g, int imageLength, int weightLength, int outputLength)
    {
        if (imageLength != g.InputSize)
        {
            throw new ArgumentException($"Conv2d: the image has {imageLength} elements, expected {g.InChannels}x{g.InHeight}x{g.InWidth} = {g.InputSize}.");
        }

        if (weightLength != g.WeightSize)
        {
            throw new ArgumentException($"Conv2d: the weight has {weightLength} elements, expected {g.OutChannels}x{g.InChannels}x{g.KernelHeight}x{g.KernelWidth} = {g.WeightSize}.");
        }

        if (outputLength != g.OutputSize)
        {
            throw new ArgumentException($"Conv2d: the output has {outputLength} elements, expected {g.OutChannels}x{g.OutHeight}x{g.OutWidth} = {g.OutputSize}.");
        }
    }
}
