using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FastLoss.Generation;
using FastLoss.Threading;

namespace FastLoss.Kernels;

/// <summary>
/// One image's stride-1 5 x 5 convolution by Winograd's F(2x2, 5x5) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016): each 2 x 2 block of output pixels (a tile) is computed from the 6 x 6
/// input pixels d under it as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, with 36 products per channel pair instead of 100.
/// The products are 36 independent matrix products, tiles x input channels by input channels x output channels,
/// which run on <see cref="GemmMicroKernels"/>' 8 x 32 kernel. The transforms are vectorised over channels, so the
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

    // The micro-kernel's tile: 8 rows (tiles) by 32 columns (output channels).
    private const int RowBlock = 8;
    private const int SliverWidth = 32;
    private const int Lanes = 16;

    private readonly Conv2dGeometry _g;
    private readonly int _tilesHigh, _tilesWide, _tileRows, _paddedHeight, _paddedWidth;

    // The distances between the α² planes of V and of M: one cache line more than a plane, so that a tile's 36
    // values, one per plane, fall in different L1 sets (planes a multiple of 4 KB apart would all share one set).
    private readonly int _inputPlaneStride, _productPlaneStride;

    // U: α² x (OutC / 32) x C x 32, each 32-wide sliver laid out as the micro-kernel reads it. The module keeps it
    // (one per layer, shared by every call and thread); a convolution run alone keeps its own.
    private float[]? _ownWeight;

    // The U the current Run reads.
    private float[] _weights = [];

    // Where the 8 rows of a block of V start: one tile's C values apart.
    private readonly int[] _rowOffsets = GC.AllocateArray<int>(RowBlock, pinned: true);

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
        _tilesHigh = (g.OutHeight + TileOutputs - 1) / TileOutputs;
        _tilesWide = (g.OutWidth + TileOutputs - 1) / TileOutputs;
        _tileRows = GemmPacking.RoundUp(_tilesHigh * _tilesWide, RowBlock);
        _paddedHeight = (_tilesHigh * TileOutputs) + g.KernelHeight - 1;
        _paddedWidth = (_tilesWide * TileOutputs) + g.KernelWidth - 1;
        _inputPlaneStride = (_tileRows * g.InChannels) + Lanes;
        _productPlaneStride = (_tileRows * g.OutChannels) + Lanes;
        _split = new SplitImage(this);
        for (int i = 0; i < RowBlock; i++)
        {
            _rowOffsets[i] = i * g.InChannels;
        }
    }

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

    /// <summary>
    /// Whether the module should use it: wherever it can, on a machine with fast 512-bit vectors. Measured on the
    /// seed CNN's conv2 and conv3 (and their input gradients), against the tap rows: see WinogradConvolutionBenchmarks
    /// beside ConvolutionAlgorithmBenchmarks.
    /// </summary>
    public static bool Prefers(in Conv2dGeometry g) =>
        Vector512.IsHardwareAccelerated && CanCompute(g);

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

        int taps = Taps * Taps, inChannels = _g.InChannels, outChannels = _g.OutChannels, slivers = outChannels / SliverWidth;

        // Sixteen kernels side by side, tap by tap: the transform then runs on output channels in vector lanes.
        Vector512<float>* kernels = stackalloc Vector512<float>[taps];
        Vector512<float>* half = stackalloc Vector512<float>[Alpha * Taps];
        Vector512<float>* u = stackalloc Vector512<float>[Alpha * Alpha];
        float* lanes = (float*)kernels;
        fixed (float* source = weight, target0 = transformed)
        {
            float* transformedWeight = target0;
            for (int o = 0; o < outChannels; o += Lanes)
            {
                int sliver = o / SliverWidth, lane = o % SliverWidth;
                for (int c = 0; c < inChannels; c++)
                {
                    for (int i = 0; i < Lanes; i++)
                    {
                        float* kernel = flippedTranspose
                            ? source + ((((nint)c * outChannels) + o + i) * taps)
                            : source + ((((nint)(o + i) * inChannels) + c) * taps);
                        for (int tap = 0; tap < taps; tap++)
                        {
                            lanes[(tap * Lanes) + i] = kernel[flippedTranspose ? taps - 1 - tap : tap];
                        }
                    }

                    // half = G g (down each kernel column), then U = half Gᵀ (along each row).
                    for (int kj = 0; kj < Taps; kj++)
                    {
                        KernelTransform(kernels[kj], kernels[Taps + kj], kernels[(2 * Taps) + kj], kernels[(3 * Taps) + kj], kernels[(4 * Taps) + kj], half + kj, Taps);
                    }

                    for (int i = 0; i < Alpha; i++)
                    {
                        Vector512<float>* row = half + (i * Taps);
                        KernelTransform(row[0], row[1], row[2], row[3], row[4], u + (i * Alpha), 1);
                    }

                    float* target = transformedWeight + ((((nint)sliver * inChannels) + c) * SliverWidth) + lane;
                    nint plane = (nint)slivers * inChannels * SliverWidth;
                    for (int xi = 0; xi < Alpha * Alpha; xi++)
                    {
                        Vector512.Store(u[xi], target + (xi * plane));
                    }
                }
            }
        }
    }

    /// <summary>
    /// One side of G g for the points 0, 1, -1, 2, -1/2 (G's rows: g0; -(g0 + ... + g4) / 3;
    /// (g0 - g1 + g2 - g3 + g4) / 3; (g0 + 2 g1 + 4 g2 + 8 g3 + 16 g4) / 15; -(16 g0 - 8 g1 + 4 g2 - 2 g3 + g4) / 15; g4).
    /// A test checks it against the matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void KernelTransform(
        Vector512<float> g0, Vector512<float> g1, Vector512<float> g2, Vector512<float> g3, Vector512<float> g4,
        Vector512<float>* u, int stride)
    {
        Vector512<float> even = g0 + g2 + g4, odd = g1 + g3;
        Vector512<float> third = Vector512.Create(1f / 3f), fifteenth = Vector512.Create(1f / 15f);
        u[0] = g0;
        u[stride] = -(even + odd) * third;
        u[2 * stride] = (even - odd) * third;
        u[3 * stride] = Vector512.FusedMultiplyAdd(Vector512.Create(16f), g4, Vector512.FusedMultiplyAdd(Vector512.Create(8f), g3, Vector512.FusedMultiplyAdd(Vector512.Create(4f), g2, Vector512.FusedMultiplyAdd(Vector512.Create(2f), g1, g0)))) * fifteenth;
        u[4 * stride] = Vector512.FusedMultiplyAdd(Vector512.Create(-16f), g0, Vector512.FusedMultiplyAdd(Vector512.Create(8f), g1, Vector512.FusedMultiplyAdd(Vector512.Create(-4f), g2, Vector512.FusedMultiplyAdd(Vector512.Create(2f), g3, -g4)))) * fifteenth;
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
                // One image on an idle pool (a batch of one): its tiles are shared out, so the other threads
                // neither idle nor fall asleep between the products that are split.
                _split.Set(scratch, output, biasOrNull, accumulate);
                _split.Finishing = false;
                ComputePool.Run(_split, ComputePool.ThreadCount);
                _split.Finishing = true;
                ComputePool.Run(_split, ComputePool.ThreadCount);
                return;
            }

            ComputeBlocks(scratch, 0, _tileRows / RowBlock);
            FinishTileRows(scratch, output, biasOrNull, accumulate, 0, _tilesHigh);
        }
    }

    /// <summary>Transforms the inputs of the tiles in blocks [first, end) of 8 and computes their 36 products.</summary>
    [HotPath]
    private void ComputeBlocks(float* scratch, int firstBlock, int endBlock)
    {
        float* transformedInput = scratch + PaddedInputSize;
        float* products = transformedInput + ((nint)Alpha * Alpha * _inputPlaneStride);
        TransformInputTiles(scratch, transformedInput, firstBlock * RowBlock, endBlock * RowBlock);
        fixed (float* weight = _weights)
        fixed (int* rowOffsets = _rowOffsets)
        {
            MultiplyTransformed(transformedInput, weight, rowOffsets, products, firstBlock * RowBlock, endBlock * RowBlock);
        }
    }

    /// <summary>Transforms back the tiles of tile rows [first, end) and lays their output pixels out channel-first.</summary>
    [HotPath]
    private void FinishTileRows(float* scratch, float* output, float* bias, bool accumulate, int firstTileRow, int endTileRow)
    {
        float* products = scratch + PaddedInputSize + ((nint)Alpha * Alpha * _inputPlaneStride);
        float* channelLast = products + ((nint)Alpha * Alpha * _productPlaneStride);
        TransformOutputTiles(products, channelLast, firstTileRow, endTileRow);
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
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < height; y++)
            {
                float* source = image + ((((nint)c * height) + y) * width);
                float* target = padded + ((((nint)(y + _g.PaddingHeight) * _paddedWidth) + _g.PaddingWidth) * channels) + c;
                for (int x = 0; x < width; x++)
                {
                    target[(nint)x * channels] = source[x];
                }
            }
        }
    }

    /// <summary>
    /// V[ξ][tile][c] = (Bᵀ d B)[ξ] for each tile's 6 x 6 inputs d, sixteen channels at a time, for the rows
    /// [first, end) of V: tiles, and past the last tile, rows that only round the tiles up to whole blocks.
    /// </summary>
    [HotPath]
    private void TransformInputTiles(float* padded, float* transformed, int firstRow, int endRow)
    {
        int channels = _g.InChannels, rowStride = _paddedWidth * channels, tiles = _tilesHigh * _tilesWide;
        nint planeStride = _inputPlaneStride;
        Vector512<float>* rows = stackalloc Vector512<float>[Alpha * Alpha];
        for (int tile = firstRow; tile < Math.Min(endRow, tiles); tile++)
        {
            int ty = tile / _tilesWide, tx = tile % _tilesWide;
            float* corner = padded + ((((nint)ty * TileOutputs * _paddedWidth) + (tx * TileOutputs)) * channels);
            for (int c = 0; c < channels; c += Lanes)
            {
                // d B, row by row, then Bᵀ (d B), column by column.
                float* row = corner + c;
                for (int i = 0; i < Alpha; i++, row += rowStride)
                {
                    InputTransform(
                        Vector512.Load(row), Vector512.Load(row + channels), Vector512.Load(row + (2 * channels)),
                        Vector512.Load(row + (3 * channels)), Vector512.Load(row + (4 * channels)), Vector512.Load(row + (5 * channels)),
                        (float*)(rows + (i * Alpha)), Lanes);
                }

                for (int j = 0; j < Alpha; j++)
                {
                    Vector512<float>* column = rows + j;
                    float* target = transformed + (((nint)tile * channels) + c) + (j * planeStride);
                    InputTransform(
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
    internal static void InputTransform(
        Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4, Vector512<float> d5,
        float* v, nint stride)
    {
        Vector512<float> d1MinusD3 = d1 - d3, d4MinusD2 = d4 - d2;
        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Create(1.5f), d1MinusD3, Vector512.FusedMultiplyAdd(Vector512.Create(-2f), d2, d0 + d4)), v);
        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Create(-2.5f), d2, Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), d3, d4 - d1)), v + stride);
        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Create(0.5f), d2, Vector512.FusedMultiplyAdd(Vector512.Create(-2.5f), d3, d4 + d1)), v + (2 * stride));
        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), d1MinusD3, d4MinusD2), v + (3 * stride));
        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Create(2f), d1MinusD3, d4MinusD2), v + (4 * stride));
        Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Create(1.5f), d2 - d4, Vector512.FusedMultiplyAdd(Vector512.Create(-2f), d3, d5 + d1)), v + (5 * stride));
    }

    /// <summary>M[ξ] = V[ξ] U[ξ] for each of the α² products, tiles x C by C x OutC, in 8 x 32 blocks, for the rows [first, end).</summary>
    [HotPath]
    private void MultiplyTransformed(float* transformedInput, float* weight, int* rowOffsets, float* products, int firstRow, int endRow)
    {
        int inChannels = _g.InChannels, outChannels = _g.OutChannels, slivers = outChannels / SliverWidth;
        for (int xi = 0; xi < Alpha * Alpha; xi++)
        {
            float* v = transformedInput + ((nint)xi * _inputPlaneStride);
            float* m = products + ((nint)xi * _productPlaneStride);
            for (int s = 0; s < slivers; s++)
            {
                float* u = weight + ((((nint)xi * slivers) + s) * inChannels * SliverWidth);
                for (int row = firstRow; row < endRow; row += RowBlock)
                {
                    GemmMicroKernels.Kernel8x32(
                        inChannels, v + ((nint)row * inChannels), rowOffsets, 0, u,
                        m + ((nint)row * outChannels) + (s * SliverWidth), outChannels, accumulate: false);
                }
            }
        }
    }

    /// <summary>Each tile's 2 x 2 outputs, Aᵀ M A, into the channel-last output (OH x OW x OutC), cropped at the edges, for tile rows [first, end).</summary>
    [HotPath]
    private void TransformOutputTiles(float* products, float* channelLast, int firstTileRow, int endTileRow)
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
                for (int o = 0; o < outChannels; o += Lanes)
                {
                    // M A, row by row (each row's six planes are consecutive ξ), then Aᵀ (M A).
                    float* m = products + ((nint)tile * outChannels) + o;
                    OutputTransform(m, planeStride, out Vector512<float> l0, out Vector512<float> r0);
                    OutputTransform(m + (Alpha * planeStride), planeStride, out Vector512<float> l1, out Vector512<float> r1);
                    OutputTransform(m + (2 * Alpha * planeStride), planeStride, out Vector512<float> l2, out Vector512<float> r2);
                    OutputTransform(m + (3 * Alpha * planeStride), planeStride, out Vector512<float> l3, out Vector512<float> r3);
                    OutputTransform(m + (4 * Alpha * planeStride), planeStride, out Vector512<float> l4, out Vector512<float> r4);
                    OutputTransform(m + (5 * Alpha * planeStride), planeStride, out Vector512<float> l5, out Vector512<float> r5);
                    float* target = channelLast + ((((nint)y * outWidth) + x) * outChannels) + o;
                    Vector512.Store(OutputFirst(l0, l1, l2, l3, l4), target);
                    if (secondColumn)
                    {
                        Vector512.Store(OutputFirst(r0, r1, r2, r3, r4), target + outChannels);
                    }

                    if (secondRow)
                    {
                        float* below = target + ((nint)outWidth * outChannels);
                        Vector512.Store(OutputSecond(l1, l2, l3, l4, l5), below);
                        if (secondColumn)
                        {
                            Vector512.Store(OutputSecond(r1, r2, r3, r4, r5), below + outChannels);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Both rows of Aᵀ applied to six products <paramref name="stride"/> floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTransform(float* m, nint stride, out Vector512<float> first, out Vector512<float> second)
    {
        Vector512<float> m1 = Vector512.Load(m + stride), m2 = Vector512.Load(m + (2 * stride));
        Vector512<float> m3 = Vector512.Load(m + (3 * stride)), m4 = Vector512.Load(m + (4 * stride));
        first = OutputFirst(Vector512.Load(m), m1, m2, m3, m4);
        second = OutputSecond(m1, m2, m3, m4, Vector512.Load(m + (5 * stride)));
    }

    /// <summary>Aᵀ's first row for the points 0, 1, -1, 2, -1/2: m0 + m1 + m2 + m3 + m4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> OutputFirst(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4) =>
        m0 + (m1 + m2) + (m3 + m4);

    /// <summary>Aᵀ's second row: m1 - m2 + 2 m3 - m4 / 2 + m5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> OutputSecond(Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4, Vector512<float> m5) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(2f), m3, Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), m4, (m1 - m2) + m5));

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
    /// One image's work shared out to the pool in two rounds: blocks of tiles (input transform and products), then
    /// rows of tiles (output transform and layout). Every value is computed as on one thread.
    /// </summary>
    private sealed class SplitImage(WinogradConvolution owner) : IParallelWork
    {
        private float* _scratch, _output, _bias;
        private bool _accumulate;

        /// <summary>Whether the round is the second (rows of tiles) rather than the first (blocks of tiles).</summary>
        public bool Finishing { get; set; }

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
            int count = Finishing ? owner._tilesHigh : owner._tileRows / RowBlock;
            int first = count * part / partCount, end = count * (part + 1) / partCount;
            if (Finishing)
            {
                owner.FinishTileRows(_scratch, _output, _bias, _accumulate, first, end);
            }
            else
            {
                owner.ComputeBlocks(_scratch, first, end);
            }
        }
    }
}
