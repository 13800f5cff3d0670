namespace FastLoss.Kernels;

/// <summary>
/// The shapes of one image's 2-D convolution (cross-correlation with zero padding, as torch's conv2d):
/// input C x H x W, weight OutC x C x KH x KW, output OutC x OH x OW with OH = (H + 2 PH - KH) / SH + 1.
/// The unfolded input (im2col) has <see cref="PatchSize"/> rows (C x KH x KW) and <see cref="OutputPixels"/>
/// columns (OH x OW).
/// </summary>
public readonly record struct Conv2dGeometry
{
    public Conv2dGeometry(
        int inChannels, int inHeight, int inWidth, int outChannels,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int paddingHeight, int paddingWidth)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelHeight <= 0 || kernelWidth <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(inChannels),
                $"Conv2d: channels and kernel sizes must be positive, got in_channels={inChannels}, out_channels={outChannels}, kernel_size=({kernelHeight}, {kernelWidth}).");
        }

        if (strideHeight <= 0 || strideWidth <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(strideHeight), $"non-positive stride is not supported, got ({strideHeight}, {strideWidth})");
        }

        if (paddingHeight < 0 || paddingWidth < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(paddingHeight), $"negative padding is not supported, got ({paddingHeight}, {paddingWidth})");
        }

        if (inHeight < 0 || inWidth < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inHeight), $"Conv2d: negative input size ({inHeight}, {inWidth}).");
        }

        int paddedHeight = inHeight + (2 * paddingHeight);
        int paddedWidth = inWidth + (2 * paddingWidth);
        if (paddedHeight < kernelHeight || paddedWidth < kernelWidth)
        {
            throw new ArgumentException(
                $"Calculated padded input size per channel: ({paddedHeight} x {paddedWidth}). Kernel size: ({kernelHeight} x {kernelWidth}). Kernel size can't be greater than actual input size");
        }

        InChannels = inChannels;
        InHeight = inHeight;
        InWidth = inWidth;
        OutChannels = outChannels;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PaddingHeight = paddingHeight;
        PaddingWidth = paddingWidth;
        OutHeight = ((paddedHeight - kernelHeight) / strideHeight) + 1;
        OutWidth = ((paddedWidth - kernelWidth) / strideWidth) + 1;
    }

    public int InChannels { get; }

    public int InHeight { get; }

    public int InWidth { get; }

    public int OutChannels { get; }

    public int KernelHeight { get; }

    public int KernelWidth { get; }

    public int StrideHeight { get; }

    public int StrideWidth { get; }

    public int PaddingHeight { get; }

    public int PaddingWidth { get; }

    public int OutHeight { get; }

    public int OutWidth { get; }

    /// <summary>Elements of one input image (C x H x W).</summary>
    public int InputSize => InChannels * InHeight * InWidth;

    /// <summary>Elements of one output image (OutC x OH x OW).</summary>
    public int OutputSize => OutChannels * OutputPixels;

    /// <summary>Pixels of one output channel (OH x OW): the columns of the unfolded input.</summary>
    public int OutputPixels => OutHeight * OutWidth;

    /// <summary>Weights per output channel (C x KH x KW): the rows of the unfolded input.</summary>
    public int PatchSize => InChannels * KernelHeight * KernelWidth;

    /// <summary>Elements of the weight (OutC x C x KH x KW).</summary>
    public int WeightSize => OutChannels * PatchSize;

    /// <summary>Elements of the unfolded input (PatchSize x OutputPixels).</summary>
    public int ColumnsSize => PatchSize * OutputPixels;

    /// <summary>Elements of one zero-padded input image (C x (H + 2 PH) x (W + 2 PW)); 0 without padding.</summary>
    public int PaddedInputSize => PaddingHeight == 0 && PaddingWidth == 0
        ? 0
        : InChannels * (InHeight + (2 * PaddingHeight)) * (InWidth + (2 * PaddingWidth));

    /// <summary>Scratch floats one image's convolution kernels need: the unfolded input and the padded image.</summary>
    public int ScratchSize => ColumnsSize + PaddedInputSize;

    /// <summary>
    /// Whether the unfolded input can be read from <see cref="TapRows"/> instead of being written out: with a
    /// vertical stride of 1, the im2col rows that differ only in the kernel row are windows of one plane.
    /// </summary>
    public bool HasTapRows => StrideHeight == 1;

    /// <summary>Elements of the tap rows: C x KW planes of H + 2 PH rows of OW values.</summary>
    public int TapRowsSize => InChannels * KernelWidth * (InHeight + (2 * PaddingHeight)) * OutWidth;

    /// <summary>Scratch floats for building the tap rows: the rows and the padded image.</summary>
    public int TapRowsScratchSize => TapRowsSize + PaddedInputSize;

    /// <summary>
    /// Whether the input gradient is itself a stride-1 convolution (<see cref="Transposed"/>) of the output
    /// gradient with the flipped, transposed weight: it is when both strides are 1 and the padding is less than
    /// the kernel, so that the output gradient needs padding KH - 1 - PH, not cropping.
    /// </summary>
    public bool HasTransposedConvolution =>
        StrideHeight == 1 && StrideWidth == 1 && PaddingHeight < KernelHeight && PaddingWidth < KernelWidth
        && InHeight > 0 && InWidth > 0;

    /// <summary>
    /// The shapes in torch's terms. (The generated record text would list <see cref="Transposed"/>, whose own
    /// <see cref="Transposed"/> is listed in turn, without end.)
    /// </summary>
    public override string ToString() =>
        $"conv2d in ({InChannels}, {InHeight}, {InWidth}) out ({OutChannels}, {OutHeight}, {OutWidth}), kernel ({KernelHeight}, {KernelWidth}), stride ({StrideHeight}, {StrideWidth}), padding ({PaddingHeight}, {PaddingWidth})";

    /// <summary>
    /// The convolution that gives the input gradient (valid when <see cref="HasTransposedConvolution"/>):
    /// OutC channels of OH x OW in, C channels of H x W out, padding KH - 1 - PH and KW - 1 - PW.
    /// </summary>
    public Conv2dGeometry Transposed => new(
        OutChannels, OutHeight, OutWidth, InChannels, KernelHeight, KernelWidth,
        1, 1, KernelHeight - 1 - PaddingHeight, KernelWidth - 1 - PaddingWidth);
}
