using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FastLoss.Functional.Classification;
using FastLoss.Generation;
using FastLoss.Threading;

namespace FastLoss.Kernels;

/// <summary>
/// One image's stride-1 5 x 5 convolution by Winograd's F(2x2, 5x5) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016): each 2 x 2 block of output pixels (a tile) is computed from the 6 x 6
/// input pixels d under it as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, with 36 products per channel pair instead of 100.
/// The products are 36 independent matrix products, tiles x input channels by input channels x output channels,
/// which run on the machine's <see cref="GemmMicroKernels"/> tile (8 x 32, 6 x 16, 6 x 8 or 4 x 4, as
/// <see cref="GemmTiling.Current"/>), reading the transformed tiles in place. The transforms are vectorised over
/// channels at the same width (<see cref="IFloatLanes{TVector}"/>: 16, 8, 4 or 1 channels at a time), so the
/// image is first laid out channel-last and the result is laid back. The input gradient is this convolution on the
/// <see cref="Conv2dGeometry.Transposed"/> geometry with the flipped, transposed weight.
/// <para>
/// Aᵀ (2 x 6), G (6 x 5) and Bᵀ (6 x 6) come from Cook-Toom interpolation at the points 0, 1, -1, 2, -1/2 and
/// infinity, and are written out below as formulas (InputTransform, OutputFirst, OutputSecond, KernelTransform).
/// The tests derive the matrices from the points and check the formulas against them. Of the point sets tried,
/// this one rounds least: about 5 units of 2^-24 of an output's terms on the seed CNN's layers, against 13 to 21
/// for 0, ±1, ±2 or 0, ±1, ±1/2. Over 84 random cases the forward pass and the input gradient stayed within 0.7 of
/// torch parity's tolerance against float64.
/// </para>
/// <para>
/// The weight gradient stays a direct product. Winograd's (dU = Σ V dM with dM = A dY Aᵀ, then dg = Gᵀ dU G) was
/// faster, 84 against 141 us per conv2 image, but its rounding reached 3.5 times that tolerance.
/// </para>
/// <para>
/// Work per image, in order: pad and lay out the input (H x W x C), transform each tile's inputs (V = Bᵀ d B,
/// α² x tiles x C), the products M[ξ] = V[ξ] U[ξ] (α² x tiles x OutC, U = G g Gᵀ from <see cref="TransformWeight(ReadOnlySpan{float}, bool, Span{float})"/>),
/// transform each tile's products back (Aᵀ M A, OH x OW x OutC), and lay the output out as OutC x OH x OW.
/// </para>
/// </summary>
internal sealed unsafe class WinogradConvolution
{
    /// <summary>The output pixels of one tile side (m).</summary>
    public const int TileOutputs = 2;

    /// <summary>The kernel taps of one side (r).</summary>
    public const int Taps = 5;

    /// <summary>The input pixels of one tile side and the products per side (α = m + r - 1).</summary>
    public const int Alpha = TileOutputs + Taps - 1;

    // A plane of V or M is padded by one cache line (see below).
    private const int CacheLineFloats = 16;

    // The widest sliver of any micro-kernel (8 x 32).
    private const int MaxSliverWidth = 32;

    private readonly Conv2dGeometry _g;
    private readonly int _tilesHigh, _tilesWide, _tileRows, _paddedHeight, _paddedWidth;

    // The micro-kernel this instance runs, its tile (rows: tiles, columns: output channels), and the vector width
    // of the transforms. Fixed at construction, so a transformed weight always matches the instance that reads it.
    private readonly GemmKernel _kernel;
    private readonly int _rowBlock, _sliverWidth;

    // The distances between the α² planes of V and of M: one cache line more than a plane, so that a tile's 36
    // values, one per plane, fall in different L1 sets (planes a multiple of 4 KB apart would all share one set).
    private readonly int _inputPlaneStride, _productPlaneStride;

    // U: α² x (OutC / NR) x C x NR, each NR-wide sliver laid out as the micro-kernel reads it. The module keeps it
    // (one per layer, shared by every call and thread); a convolution run alone keeps its own.
    private float[]? _ownWeight;

    // The U the current Run reads.
    private float[] _weights = [];

    private readonly SplitImage _split;

    public WinogradConvolution(in Conv2dGeometry g)
    {
        if (!CanCompute(g))
        {
            throw new ArgumentException(
                $"Winograd convolution F(2x2, 5x5) needs strides of 1, a 5 x 5 kernel, input channels a multiple of {Lanes}, output channels a multiple of {SliverWidth} and a non-empty output; got {g}.",
                nameof(g));
        }

        _g = g;
        GemmTiling tiling = GemmTiling.Current;
        _kernel = tiling.Kernel;
        _rowBlock = tiling.Mr;
        _sliverWidth = tiling.Nr;
        _tilesHigh = (g.OutHeight + TileOutputs - 1) / TileOutputs;
        _tilesWide = (g.OutWidth + TileOutputs - 1) / TileOutputs;
        _tileRows = GemmPacking.RoundUp(_tilesHigh * _tilesWide, _rowBlock);
        _paddedHeight = (_tilesHigh * TileOutputs) + g.KernelHeight - 1;
        _paddedWidth = (_tilesWide * TileOutputs) + g.KernelWidth - 1;
        _inputPlaneStride = (_tileRows * g.InChannels) + CacheLineFloats;
        _productPlaneStride = (_tileRows * g.OutChannels) + CacheLineFloats;
        _split = new SplitImage(this);
    }

    /// <summary>The micro-kernel whose tile the transformed weight is laid out for.</summary>
    public GemmKernel Kernel => _kernel;

    /// <summary>Channels the transforms take at a time on this machine: input channels must be a multiple of it.</summary>
    public static int Lanes => LanesOf(GemmTiling.Current.Kernel);

    /// <summary>Output channels of one sliver of U on this machine: output channels must be a multiple of it.</summary>
    public static int SliverWidth => GemmTiling.Current.Nr;

    /// <summary>Floats of a transformed weight (U) for this geometry's channels.</summary>
    public int TransformedWeightSize => Alpha * Alpha * _g.InChannels * _g.OutChannels;

    /// <summary>Floats of scratch <see cref="Run(float*, float*, ReadOnlySpan{float}, bool, float*)"/> needs.</summary>
    public int ScratchSize =>
        PaddedInputSize + (Alpha * Alpha * (_inputPlaneStride + _productPlaneStride)) + (_g.OutputPixels * _g.OutChannels);

    private int PaddedInputSize => _paddedHeight * _paddedWidth * _g.InChannels;

    /// <summary>Whether this class can compute the geometry (see the constructor's message for the conditions).</summary>
    public static bool CanCompute(in Conv2dGeometry g) =>
        g.StrideHeight == 1 && g.StrideWidth == 1 && g.KernelHeight == Taps && g.KernelWidth == Taps
        && g.InChannels % Lanes == 0 && g.OutChannels % SliverWidth == 0 && g.OutputPixels > 0;

    private static int LanesOf(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Wide => Vector512<float>.Count,
        GemmKernel.Narrow => Vector256<float>.Count,
        GemmKernel.Compact => Vector128<float>.Count,
        _ => 1,
    };

    /// <summary>
    /// Whether the module should use it: wherever it can, at every vector width. Measured on the seed CNN's conv2
    /// and conv3 against the tap rows (WinogradConvolutionBenchmarks beside ConvolutionAlgorithmBenchmarks), the
    /// forward pass is 2.1 and 1.9 times faster with Vector256, 2.8 and 2.0 with Vector128, 2.5 and 2.9 on scalars;
    /// the weight transforms a training step adds once per layer (both forms: about 190 us on conv2 and 320 us on
    /// conv3 with Vector256) cost about one image's saving on conv2 and four on conv3. Layers with fewer
    /// than 16 input channels (conv1's 3, computable on scalars) stay on tap rows: 36 products that shallow were
    /// not measured to pay for the transforms. So do outputs narrower or lower than a tile, where most of each
    /// tile's work is cropped away; there, without FMA, the doubly rounded products also stray past torch
    /// parity's tolerance (a 1 x 1 image reached 1.2 times it).
    /// </summary>
    public static bool Prefers(in Conv2dGeometry g) =>
        CanCompute(g) && g.InChannels >= 16 && g.OutHeight >= TileOutputs && g.OutWidth >= TileOutputs;

    /// <summary>
    /// Computes U = G g Gᵀ for every channel pair. <paramref name="weight"/> is OutC x C x 5 x 5, or, with
    /// <paramref name="flippedTranspose"/>, the weight of the convolution whose input gradient this geometry is
    /// (C x OutC x 5 x 5, used flipped: the gradient's kernel (o, c) is that weight's (c, o) turned by 180 degrees).
    /// </summary>
    [HotPath]
    public void TransformWeight(ReadOnlySpan<float> weight, bool flippedTranspose)
    {
        _ownWeight ??= GC.AllocateArray<float>(TransformedWeightSize, pinned: true);
        TransformWeight(weight, flippedTranspose, _ownWeight);
    }

    /// <summary>Computes U into <paramref name="transformed"/> (<see cref="TransformedWeightSize"/> floats), as the overload above.</summary>
    [HotPath]
    public void TransformWeight(ReadOnlySpan<float> weight, bool flippedTranspose, Span<float> transformed)
    {
        if (transformed.Length < TransformedWeightSize)
        {
            throw new ArgumentException($"Winograd convolution: the transformed weight needs {TransformedWeightSize} values, got {transformed.Length}.", nameof(transformed));
        }

        if (weight.Length != _g.WeightSize)
        {
            throw new ArgumentException($"Winograd convolution: the weight has {weight.Length} values, expected {_g.WeightSize}.", nameof(weight));
        }

        fixed (float* source = weight, target = transformed)
        {
            // Four output channels at a time where 256-bit vectors are fast (every sliver is a multiple of 4 wide
            // there), one at a time otherwise.
            if (Vector256.IsHardwareAccelerated)
            {
                TransformWeight<Float64x4>(source, flippedTranspose, target);
            }
            else
            {
                TransformWeight<Float64x1>(source, flippedTranspose, target);
            }
        }
    }

    [HotPath]
    private void TransformWeight<T>(float* source, bool flippedTranspose, float* transformedWeight)
        where T : unmanaged, IFloat64Lanes<T>
    {
        int taps = Taps * Taps, inChannels = _g.InChannels, outChannels = _g.OutChannels;
        int sliverWidth = _sliverWidth, slivers = outChannels / sliverWidth, lanes = T.Count;
        nint plane = (nint)slivers * inChannels * sliverWidth;

        // The kernels of `lanes` output channels, tap by tap in vector lanes.
        float** laneKernels = stackalloc float*[lanes];
        T* kernels = stackalloc T[taps];
        T* half = stackalloc T[Alpha * Taps];
        T* u = stackalloc T[Alpha * Alpha];

        // One sliver's row of U (its output channels for one input channel), plane by plane: the 36 planes are a
        // multiple of 4 KB apart, so writing each value straight to its plane would evict the line it had just
        // written to (all 36 share an L1 set); a whole row goes to each plane at once instead.
        float* staged = stackalloc float[Alpha * Alpha * MaxSliverWidth];
        for (int c = 0; c < inChannels; c++)
        {
            for (int sliver = 0; sliver < slivers; sliver++)
            {
                for (int lane = 0; lane < sliverWidth; lane += lanes)
                {
                    for (int i = 0; i < lanes; i++)
                    {
                        int o = (sliver * sliverWidth) + lane + i;
                        laneKernels[i] = flippedTranspose
                            ? source + ((((nint)c * outChannels) + o) * taps)
                            : source + ((((nint)o * inChannels) + c) * taps);
                    }

                    for (int tap = 0; tap < taps; tap++)
                    {
                        kernels[tap] = T.Gather(laneKernels, flippedTranspose ? taps - 1 - tap : tap);
                    }

                    // half = G g (down each kernel column), then U = half Gᵀ (along each row).
                    for (int kj = 0; kj < Taps; kj++)
                    {
                        KernelTransform(kernels[kj], kernels[Taps + kj], kernels[(2 * Taps) + kj], kernels[(3 * Taps) + kj], kernels[(4 * Taps) + kj], half + kj, Taps);
                    }

                    for (int i = 0; i < Alpha; i++)
                    {
                        T* row = half + (i * Taps);
                        KernelTransform(row[0], row[1], row[2], row[3], row[4], u + (i * Alpha), 1);
                    }

                    for (int xi = 0; xi < Alpha * Alpha; xi++)
                    {
                        T.Narrow(u[xi], staged + (xi * sliverWidth) + lane);
                    }
                }

                // Copied in the pieces they were stored in, so each load is served from its store.
                float* target = transformedWeight + ((((nint)sliver * inChannels) + c) * sliverWidth);
                for (int xi = 0; xi < Alpha * Alpha; xi++)
                {
                    float* row = staged + (xi * sliverWidth), destination = target + (xi * plane);
                    for (int j = 0; j < sliverWidth; j += lanes)
                    {
                        T.Copy(row + j, destination + j);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One side of G g for the points 0, 1, -1, 2, -1/2 (G's rows: g0; -(g0 + ... + g4) / 3;
    /// (g0 - g1 + g2 - g3 + g4) / 3; (g0 + 2 g1 + 4 g2 + 8 g3 + 16 g4) / 15; -(16 g0 - 8 g1 + 4 g2 - 2 g3 + g4) / 15; g4).
    /// A test checks it against the matrix. In float64, so that U is the exact transform rounded once: the
    /// thirds and fifteenths rounded in float, with the input and output transforms rounded twice per
    /// multiply-add where the hardware has no FMA, took the 128-bit and scalar results past torch parity's
    /// tolerance. The transform runs once per weight change, not per image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void KernelTransform<T>(T g0, T g1, T g2, T g3, T g4, T* u, int stride)
        where T : unmanaged, IFloat64Lanes<T>
    {
        // Products by the reciprocals, not divisions: their float64 rounding is far below the float32 result's.
        const double Third = 1.0 / 3, Fifteenth = 1.0 / 15;
        T even = g0 + g2 + g4, odd = g1 + g3;
        u[0] = g0;
        u[stride] = -(even + odd) * Third;
        u[2 * stride] = (even - odd) * Third;
        u[3 * stride] = (g0 + (g1 * 2) + (g2 * 4) + (g3 * 8) + (g4 * 16)) * Fifteenth;
        u[4 * stride] = -((g0 * 16) - (g1 * 8) + (g2 * 4) - (g3 * 2) + g4) * Fifteenth;
        u[5 * stride] = g4;
    }

    /// <summary>
    /// The convolution of one image (C x H x W) into <paramref name="output"/> (OutC x OH x OW): overwritten with
    /// the bias (or zero) plus the convolution, or, with <paramref name="accumulate"/>, added to.
    /// <paramref name="scratch"/> holds <see cref="ScratchSize"/> floats.
    /// </summary>
    [HotPath]
    public void Run(float* image, float* output, ReadOnlySpan<float> bias, bool accumulate, float* scratch) =>
        Run(image, output, bias, accumulate, scratch, _ownWeight ?? throw new InvalidOperationException("Winograd convolution: TransformWeight has not been called."));

    /// <summary>The convolution of one image with the transformed weight <paramref name="transformedWeight"/>, as the overload above.</summary>
    [HotPath]
    public void Run(float* image, float* output, ReadOnlySpan<float> bias, bool accumulate, float* scratch, float[] transformedWeight)
    {
        _weights = transformedWeight;
        LayOutChannelLast(image, scratch);
        fixed (float* biasValues = bias)
        {
            float* biasOrNull = bias.IsEmpty ? null : biasValues;
            if (ComputePool.CanRunInParallel)
            {
                // One image on an idle pool (a batch of one). When the blocks of tiles divide evenly among the
                // threads, each thread transforms and multiplies its own blocks in one round, so V stays in the
                // cache of the core that wrote it and one barrier goes; otherwise (conv3 on the 6-row tiles has
                // 3 blocks) the products are split by plane, 36 planes dividing evenly where the blocks would not.
                // Either way the output transform is shared out by tile rows last.
                int parts = ComputePool.ThreadCount;
                _split.Set(scratch, output, biasOrNull, accumulate);
                if (_tileRows / _rowBlock % parts == 0)
                {
                    _split.Current = SplitImage.Phase.Tiles;
                    ComputePool.Run(_split, parts);
                }
                else
                {
                    _split.Current = SplitImage.Phase.Inputs;
                    ComputePool.Run(_split, parts);
                    _split.Current = SplitImage.Phase.Products;
                    ComputePool.Run(_split, parts);
                }

                _split.Current = SplitImage.Phase.Outputs;
                ComputePool.Run(_split, parts);
                return;
            }

            TransformInputs(scratch, 0, _tileRows);
            MultiplyPlanes(scratch, 0, Alpha * Alpha, 0, _tileRows);
            FinishTileRows(scratch, output, biasOrNull, accumulate, 0, _tilesHigh);
        }
    }

    /// <summary>Transforms the inputs of the tiles in rows [first, end) of V (past the last tile, rows that round the tiles up to whole blocks).</summary>
    [HotPath]
    private void TransformInputs(float* scratch, int firstRow, int endRow)
    {
        float* transformedInput = scratch + PaddedInputSize;
        switch (_kernel)
        {
            case GemmKernel.Wide:
                TransformInputTiles<Lanes512, Vector512<float>>(scratch, transformedInput, firstRow, endRow);
                break;
            case GemmKernel.Narrow:
                TransformInputTiles<Lanes256, Vector256<float>>(scratch, transformedInput, firstRow, endRow);
                break;
            case GemmKernel.Compact:
                TransformInputTiles<Lanes128, Vector128<float>>(scratch, transformedInput, firstRow, endRow);
                break;
            default:
                TransformInputTiles<Lanes1, float>(scratch, transformedInput, firstRow, endRow);
                break;
        }
    }

    /// <summary>The products M[ξ] = V[ξ] U[ξ] of planes [first, end), over the rows [firstRow, endRow) of V (whole blocks).</summary>
    [HotPath]
    private void MultiplyPlanes(float* scratch, int firstPlane, int endPlane, int firstRow, int endRow)
    {
        float* transformedInput = scratch + PaddedInputSize;
        float* products = transformedInput + ((nint)Alpha * Alpha * _inputPlaneStride);
        fixed (float* weight = _weights)
        {
            MultiplyTransformed(transformedInput, weight, products, firstPlane, endPlane, firstRow, endRow);
        }
    }

    /// <summary>Transforms back the tiles of tile rows [first, end) and lays their output pixels out channel-first.</summary>
    [HotPath]
    private void FinishTileRows(float* scratch, float* output, float* bias, bool accumulate, int firstTileRow, int endTileRow)
    {
        float* products = scratch + PaddedInputSize + ((nint)Alpha * Alpha * _inputPlaneStride);
        float* channelLast = products + ((nint)Alpha * Alpha * _productPlaneStride);
        switch (_kernel)
        {
            case GemmKernel.Wide:
                TransformOutputTiles<Lanes512, Vector512<float>>(products, channelLast, firstTileRow, endTileRow);
                break;
            case GemmKernel.Narrow:
                TransformOutputTiles<Lanes256, Vector256<float>>(products, channelLast, firstTileRow, endTileRow);
                break;
            case GemmKernel.Compact:
                TransformOutputTiles<Lanes128, Vector128<float>>(products, channelLast, firstTileRow, endTileRow);
                break;
            default:
                TransformOutputTiles<Lanes1, float>(products, channelLast, firstTileRow, endTileRow);
                break;
        }

        int firstPixel = firstTileRow * TileOutputs * _g.OutWidth;
        int endPixel = Math.Min(endTileRow * TileOutputs, _g.OutHeight) * _g.OutWidth;
        LayOutChannelFirst(channelLast, output, bias, accumulate, firstPixel, endPixel);
    }

    /// <summary>
    /// The padded image, channel-last: (H') x (W') x C with the image at (PH, PW) and zeros around it. Only the
    /// border is cleared; the image overwrites the rest.
    /// </summary>
    [HotPath]
    private void LayOutChannelLast(float* image, float* padded)
    {
        int channels = _g.InChannels, height = _g.InHeight, width = _g.InWidth;
        int top = _g.PaddingHeight, left = _g.PaddingWidth, rowFloats = _paddedWidth * channels;
        new Span<float>(padded, top * rowFloats).Clear();
        for (int y = top; y < top + height; y++)
        {
            float* row = padded + ((nint)y * rowFloats);
            new Span<float>(row, left * channels).Clear();
            new Span<float>(row + ((left + width) * channels), (_paddedWidth - left - width) * channels).Clear();
        }

        new Span<float>(padded + ((nint)(top + height) * rowFloats), (_paddedHeight - top - height) * rowFloats).Clear();
        // Whole blocks of 8 channels x 8 pixels are transposed in registers: one store per pixel's 8 channels where
        // the element-wise copy writes 8 values a row's width apart (9 us of conv2's 64 at batch 1, on the caller
        // alone). The element-wise copy does the rest: the last channels, and the last pixels of the blocked ones.
        int blockedChannels = Avx.IsSupported ? channels & ~7 : 0, blockedWidth = width & ~7;
        float** eightRows = stackalloc float*[8];
        for (int y = 0; y < height; y++)
        {
            float* target = padded + ((((nint)(y + top) * _paddedWidth) + left) * channels);
            for (int c = 0; c < blockedChannels; c += 8)
            {
                for (int r = 0; r < 8; r++)
                {
                    eightRows[r] = image + ((((nint)(c + r) * height) + y) * width);
                }

                for (int x = 0; x < blockedWidth; x += 8)
                {
                    RegisterTranspose.Transpose8x8(eightRows, x, target + ((nint)x * channels) + c, channels, 1f);
                }
            }

            for (int c = 0; c < channels; c++)
            {
                float* source = image + ((((nint)c * height) + y) * width);
                for (int x = c < blockedChannels ? blockedWidth : 0; x < width; x++)
                {
                    target[((nint)x * channels) + c] = source[x];
                }
            }
        }
    }

    /// <summary>
    /// V[ξ][tile][c] = (Bᵀ d B)[ξ] for each tile's 6 x 6 inputs d, one vector of channels at a time, for the rows
    /// [first, end) of V: tiles, and past the last tile, rows that only round the tiles up to whole blocks.
    /// </summary>
    [HotPath]
    private void TransformInputTiles<TLanes, TVector>(float* padded, float* transformed, int firstRow, int endRow)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged
    {
        int channels = _g.InChannels, rowStride = _paddedWidth * channels, tiles = _tilesHigh * _tilesWide;
        nint planeStride = _inputPlaneStride;
        TVector* rows = stackalloc TVector[Alpha * Alpha];
        for (int tile = firstRow; tile < Math.Min(endRow, tiles); tile++)
        {
            int ty = tile / _tilesWide, tx = tile % _tilesWide;
            float* corner = padded + ((((nint)ty * TileOutputs * _paddedWidth) + (tx * TileOutputs)) * channels);
            for (int c = 0; c < channels; c += TLanes.Count)
            {
                // d B, row by row, then Bᵀ (d B), column by column.
                float* row = corner + c;
                for (int i = 0; i < Alpha; i++, row += rowStride)
                {
                    InputTransform<TLanes, TVector>(
                        Load<TLanes, TVector>(row), Load<TLanes, TVector>(row + channels), Load<TLanes, TVector>(row + (2 * channels)),
                        Load<TLanes, TVector>(row + (3 * channels)), Load<TLanes, TVector>(row + (4 * channels)), Load<TLanes, TVector>(row + (5 * channels)),
                        (float*)(rows + (i * Alpha)), TLanes.Count);
                }

                for (int j = 0; j < Alpha; j++)
                {
                    TVector* column = rows + j;
                    float* target = transformed + (((nint)tile * channels) + c) + (j * planeStride);
                    InputTransform<TLanes, TVector>(
                        column[0], column[Alpha], column[2 * Alpha], column[3 * Alpha], column[4 * Alpha], column[5 * Alpha],
                        target, Alpha * planeStride);
                }
            }
        }

        // The rows that round the tiles up to whole blocks are computed by the products and never read back;
        // zeros keep them finite.
        int padding = Math.Max(firstRow, tiles);
        for (int xi = 0; xi < Alpha * Alpha && padding < endRow; xi++)
        {
            new Span<float>(transformed + (((nint)xi * planeStride) + ((nint)padding * channels)), (endRow - padding) * channels).Clear();
        }
    }

    /// <summary>
    /// One side of Bᵀ d for the points 0, 1, -1, 2, -1/2 (a test checks it against the matrix): written out, with
    /// the shared differences taken once, and stored <paramref name="stride"/> floats apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void InputTransform<TLanes, TVector>(TVector d0, TVector d1, TVector d2, TVector d3, TVector d4, TVector d5, float* v, nint stride)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged
    {
        TVector d1MinusD3 = TLanes.Subtract(d1, d3), d4MinusD2 = TLanes.Subtract(d4, d2);
        Store<TLanes, TVector>(TLanes.MultiplyAdd(TLanes.Broadcast(1.5f), d1MinusD3, TLanes.MultiplyAdd(TLanes.Broadcast(-2f), d2, TLanes.Add(d0, d4))), v);
        Store<TLanes, TVector>(TLanes.MultiplyAdd(TLanes.Broadcast(-2.5f), d2, TLanes.MultiplyAdd(TLanes.Broadcast(-0.5f), d3, TLanes.Subtract(d4, d1))), v + stride);
        Store<TLanes, TVector>(TLanes.MultiplyAdd(TLanes.Broadcast(0.5f), d2, TLanes.MultiplyAdd(TLanes.Broadcast(-2.5f), d3, TLanes.Add(d4, d1))), v + (2 * stride));
        Store<TLanes, TVector>(TLanes.MultiplyAdd(TLanes.Broadcast(-0.5f), d1MinusD3, d4MinusD2), v + (3 * stride));
        Store<TLanes, TVector>(TLanes.MultiplyAdd(TLanes.Broadcast(2f), d1MinusD3, d4MinusD2), v + (4 * stride));
        Store<TLanes, TVector>(TLanes.MultiplyAdd(TLanes.Broadcast(1.5f), TLanes.Subtract(d2, d4), TLanes.MultiplyAdd(TLanes.Broadcast(-2f), d3, TLanes.Add(d5, d1))), v + (5 * stride));
    }

    /// <summary>M[ξ] = V[ξ] U[ξ] for the products [first, end) of the α², tiles x C by C x OutC, in MR x NR blocks.</summary>
    [HotPath]
    private void MultiplyTransformed(float* transformedInput, float* weight, float* products, int firstPlane, int endPlane, int firstRow, int endRow)
    {
        int inChannels = _g.InChannels, outChannels = _g.OutChannels, sliverWidth = _sliverWidth, slivers = outChannels / sliverWidth;
        for (int xi = firstPlane; xi < endPlane; xi++)
        {
            float* v = transformedInput + ((nint)xi * _inputPlaneStride);
            float* m = products + ((nint)xi * _productPlaneStride);
            for (int s = 0; s < slivers; s++)
            {
                float* u = weight + ((((nint)xi * slivers) + s) * inChannels * sliverWidth);
                for (int row = firstRow; row < endRow; row += _rowBlock)
                {
                    float* a = v + ((nint)row * inChannels);
                    float* c = m + ((nint)row * outChannels) + (s * sliverWidth);
                    switch (_kernel)
                    {
                        case GemmKernel.Wide:
                            GemmMicroKernels.Kernel8x32(inChannels, a, inChannels, u, c, outChannels, accumulate: false);
                            break;
                        case GemmKernel.Narrow:
                            GemmMicroKernels.Kernel6x16(inChannels, a, inChannels, u, c, outChannels, accumulate: false);
                            break;
                        case GemmKernel.Compact:
                            GemmMicroKernels.Kernel6x8(inChannels, a, inChannels, u, c, outChannels, accumulate: false);
                            break;
                        default:
                            GemmMicroKernels.Kernel4x4(inChannels, a, inChannels, u, c, outChannels, accumulate: false);
                            break;
                    }
                }
            }
        }
    }

    /// <summary>Each tile's 2 x 2 outputs, Aᵀ M A, into the channel-last output (OH x OW x OutC), cropped at the edges, for tile rows [first, end).</summary>
    [HotPath]
    private void TransformOutputTiles<TLanes, TVector>(float* products, float* channelLast, int firstTileRow, int endTileRow)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged
    {
        int outChannels = _g.OutChannels, outHeight = _g.OutHeight, outWidth = _g.OutWidth;
        nint planeStride = _productPlaneStride;
        int tile = firstTileRow * _tilesWide;
        for (int ty = firstTileRow; ty < endTileRow; ty++)
        {
            int y = ty * TileOutputs;
            bool secondRow = y + 1 < outHeight;
            for (int tx = 0; tx < _tilesWide; tx++, tile++)
            {
                int x = tx * TileOutputs;
                bool secondColumn = x + 1 < outWidth;
                for (int o = 0; o < outChannels; o += TLanes.Count)
                {
                    // M A, row by row (each row's six planes are consecutive ξ), then Aᵀ (M A).
                    float* m = products + ((nint)tile * outChannels) + o;
                    OutputTransform<TLanes, TVector>(m, planeStride, out TVector l0, out TVector r0);
                    OutputTransform<TLanes, TVector>(m + (Alpha * planeStride), planeStride, out TVector l1, out TVector r1);
                    OutputTransform<TLanes, TVector>(m + (2 * Alpha * planeStride), planeStride, out TVector l2, out TVector r2);
                    OutputTransform<TLanes, TVector>(m + (3 * Alpha * planeStride), planeStride, out TVector l3, out TVector r3);
                    OutputTransform<TLanes, TVector>(m + (4 * Alpha * planeStride), planeStride, out TVector l4, out TVector r4);
                    OutputTransform<TLanes, TVector>(m + (5 * Alpha * planeStride), planeStride, out TVector l5, out TVector r5);
                    float* target = channelLast + ((((nint)y * outWidth) + x) * outChannels) + o;
                    Store<TLanes, TVector>(OutputFirst<TLanes, TVector>(l0, l1, l2, l3, l4), target);
                    if (secondColumn)
                    {
                        Store<TLanes, TVector>(OutputFirst<TLanes, TVector>(r0, r1, r2, r3, r4), target + outChannels);
                    }

                    if (secondRow)
                    {
                        float* below = target + ((nint)outWidth * outChannels);
                        Store<TLanes, TVector>(OutputSecond<TLanes, TVector>(l1, l2, l3, l4, l5), below);
                        if (secondColumn)
                        {
                            Store<TLanes, TVector>(OutputSecond<TLanes, TVector>(r1, r2, r3, r4, r5), below + outChannels);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Both rows of Aᵀ applied to six products <paramref name="stride"/> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTransform<TLanes, TVector>(float* m, nint stride, out TVector first, out TVector second)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged
    {
        TVector m1 = Load<TLanes, TVector>(m + stride), m2 = Load<TLanes, TVector>(m + (2 * stride));
        TVector m3 = Load<TLanes, TVector>(m + (3 * stride)), m4 = Load<TLanes, TVector>(m + (4 * stride));
        first = OutputFirst<TLanes, TVector>(Load<TLanes, TVector>(m), m1, m2, m3, m4);
        second = OutputSecond<TLanes, TVector>(m1, m2, m3, m4, Load<TLanes, TVector>(m + (5 * stride)));
    }

    /// <summary>Aᵀ's first row for the points 0, 1, -1, 2, -1/2: m0 + m1 + m2 + m3 + m4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector OutputFirst<TLanes, TVector>(TVector m0, TVector m1, TVector m2, TVector m3, TVector m4)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged =>
        TLanes.Add(TLanes.Add(m0, TLanes.Add(m1, m2)), TLanes.Add(m3, m4));

    /// <summary>Aᵀ's second row: m1 - m2 + 2 m3 - m4 / 2 + m5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector OutputSecond<TLanes, TVector>(TVector m1, TVector m2, TVector m3, TVector m4, TVector m5)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged =>
        TLanes.MultiplyAdd(TLanes.Broadcast(2f), m3, TLanes.MultiplyAdd(TLanes.Broadcast(-0.5f), m4, TLanes.Add(TLanes.Subtract(m1, m2), m5)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Load<TLanes, TVector>(float* source)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged => TLanes.Load(ref *source, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TLanes, TVector>(TVector value, float* destination)
        where TLanes : IFloatLanes<TVector>
        where TVector : unmanaged => TLanes.Store(value, ref *destination, 0);

    /// <summary>output[o][p] = (bias[o] or 0) + channelLast[p][o], or output[o][p] += channelLast[p][o], for pixels [first, end).</summary>
    [HotPath]
    private void LayOutChannelFirst(float* channelLast, float* output, float* bias, bool accumulate, int firstPixel, int endPixel)
    {
        int outChannels = _g.OutChannels, pixels = _g.OutputPixels;
        for (int o = 0; o < outChannels; o++)
        {
            float* target = output + ((nint)o * pixels);
            float* source = channelLast + o;
            if (accumulate)
            {
                for (int p = firstPixel; p < endPixel; p++)
                {
                    target[p] += source[(nint)p * outChannels];
                }
            }
            else
            {
                float start = bias is null ? 0f : bias[o];
                for (int p = firstPixel; p < endPixel; p++)
                {
                    target[p] = start + source[(nint)p * outChannels];
                }
            }
        }
    }

    /// <summary>
    /// One image's work shared out to the pool in rounds: blocks of V's rows (input transform and products
    /// together), or rows of V (input transform) and then planes (products); then rows of tiles (output transform
    /// and layout). Every value is computed as on one thread.
    /// </summary>
    private sealed class SplitImage(WinogradConvolution owner) : IParallelWork
    {
        private float* _scratch, _output, _bias;
        private bool _accumulate;

        public enum Phase
        {
            Tiles,
            Inputs,
            Products,
            Outputs,
        }

        /// <summary>The round the next <see cref="ComputePool.Run"/> shares out.</summary>
        public Phase Current { get; set; }

        public void Set(float* scratch, float* output, float* bias, bool accumulate)
        {
            _scratch = scratch;
            _output = output;
            _bias = bias;
            _accumulate = accumulate;
        }

        [HotPath]
        public void Execute(int part, int partCount)
        {
            int count = Current switch
            {
                Phase.Tiles => owner._tileRows / owner._rowBlock,
                Phase.Inputs => owner._tileRows,
                Phase.Products => Alpha * Alpha,
                _ => owner._tilesHigh,
            };
            int first = count * part / partCount, end = count * (part + 1) / partCount;
            switch (Current)
            {
                case Phase.Tiles:
                    int firstRow = first * owner._rowBlock, endRow = end * owner._rowBlock;
                    owner.TransformInputs(_scratch, firstRow, endRow);
                    owner.MultiplyPlanes(_scratch, 0, Alpha * Alpha, firstRow, endRow);
                    break;
                case Phase.Inputs:
                    owner.TransformInputs(_scratch, first, end);
                    break;
                case Phase.Products:
                    owner.MultiplyPlanes(_scratch, first, end, 0, owner._tileRows);
                    break;
                default:
                    owner.FinishTileRows(_scratch, _output, _bias, _accumulate, first, end);
                    break;
            }
        }
    }
}
