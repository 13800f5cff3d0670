using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// The weight gradient of the F(2x2, 5x5) convolution, as the gradient of the algorithm itself. The forward pass
/// is Y_t = Aᵀ M_t A with M_t[ξ][o] = Σ_c U[ξ][c][o] V_t[ξ][c] and U = G g Gᵀ, all linear, so
/// dM_t = A dY_t Aᵀ, dU[ξ][c][o] = Σ_t V_t[ξ][c] dM_t[ξ][o], and dg = Gᵀ dU G. That is exactly the gradient of the
/// convolution (the algorithm computes the convolution exactly), with 36 products per channel pair and tile
/// instead of 100. The sum over tiles and images stays in the transformed space (OutC x α² x C: the 36 values of
/// one channel pair are C floats apart, so reading them back does not send them all to one L1 set, as planes a
/// multiple of 4 KB apart would), and is turned into the weight's layout once per backward pass by
/// <see cref="AddWeightGrad"/>.
/// </summary>
internal sealed unsafe partial class WinogradConvolution
{
    // dM is laid out as A slivers of the micro-kernel: per plane ξ, blocks of 8 output channels, each tiles x 8.
    private const int GradientBlock = 8;

    /// <summary>Floats of the transformed weight gradient that <see cref="AccumulateTransformedWeightGrad"/> adds to: OutC x α² x C.</summary>
    public int TransformedWeightGradSize => Alpha * Alpha * _g.OutChannels * _g.InChannels;

    /// <summary>Floats of scratch <see cref="AccumulateTransformedWeightGrad"/> needs.</summary>
    public int WeightGradScratchSize =>
        PaddedInputSize + (Alpha * Alpha * (_inputPlaneStride + GradientPlaneStride)) + TiledOutputGradSize;

    private int Tiles => _tilesHigh * _tilesWide;

    // One cache line more than a plane of dM, for the reason given for the other planes.
    private int GradientPlaneStride => (Tiles * _g.OutChannels) + Lanes;

    // The output gradient channel-last over whole tiles (the outputs that cropped tiles lack count as zero).
    private int TiledOutputGradSize => _tilesHigh * _tilesWide * TileOutputs * TileOutputs * _g.OutChannels;

    /// <summary>Whether <see cref="AccumulateTransformedWeightGrad"/> can run: its products take input channels 32 at a time.</summary>
    public static bool CanComputeWeightGrad(in Conv2dGeometry g) => CanCompute(g) && g.InChannels % SliverWidth == 0;

    /// <summary>
    /// Whether the module should use it: where it can, with fast 512-bit vectors, and where every tap of the kernel
    /// meets the image (H + PH >= 5 and W + PW >= 5). A tap that only ever meets padding has a gradient of exactly
    /// zero, which the transforms would blur into a rounding-sized value.
    /// </summary>
    public static bool PrefersWeightGrad(in Conv2dGeometry g) =>
        Prefers(g) && CanComputeWeightGrad(g)
        && g.InHeight + g.PaddingHeight >= Taps && g.InWidth + g.PaddingWidth >= Taps;

    /// <summary>
    /// Adds one image's share of dU (OutC x α² x C) to <paramref name="transformedGrad"/>: the image (C x H x W)
    /// and its output gradient (OutC x OH x OW). <paramref name="scratch"/> holds <see cref="WeightGradScratchSize"/> floats.
    /// </summary>
    [HotPath]
    public void AccumulateTransformedWeightGrad(float* image, float* outputGrad, float* transformedGrad, float* scratch)
    {
        int alpha2 = Alpha * Alpha;
        float* padded = scratch;
        float* transformedInput = padded + PaddedInputSize;
        float* transformedGrad1 = transformedInput + ((nint)alpha2 * _inputPlaneStride);
        float* tiledGrad = transformedGrad1 + ((nint)alpha2 * GradientPlaneStride);

        ToChannelLast(image, _g.InChannels, _g.InHeight, _g.InWidth, padded, _paddedWidth, PaddedInputSize, _g.PaddingHeight, _g.PaddingWidth);
        TransformInputTiles(padded, transformedInput);
        ToChannelLast(outputGrad, _g.OutChannels, _g.OutHeight, _g.OutWidth, tiledGrad, _tilesWide * TileOutputs, TiledOutputGradSize, 0, 0);
        TransformOutputGradTiles(tiledGrad, transformedGrad1);
        fixed (int* tileOffsets = _tileOffsets)
        {
            MultiplyForWeightGrad(transformedGrad1, transformedInput, tileOffsets, transformedGrad);
        }
    }

    /// <summary>Adds Gᵀ dU G, for every channel pair, to <paramref name="weightGrad"/> (OutC x C x 5 x 5).</summary>
    [HotPath]
    public void AddWeightGrad(ReadOnlySpan<float> transformedGrad, Span<float> weightGrad)
    {
        int taps = Taps * Taps, inChannels = _g.InChannels, outChannels = _g.OutChannels;
        if (transformedGrad.Length != TransformedWeightGradSize || weightGrad.Length != _g.WeightSize)
        {
            throw new ArgumentException(
                $"Winograd weight gradient: got {transformedGrad.Length} transformed and {weightGrad.Length} weight values, expected {TransformedWeightGradSize} and {_g.WeightSize}.");
        }

        Vector512<float>* transformed = stackalloc Vector512<float>[Alpha * Alpha];
        Vector512<float>* half = stackalloc Vector512<float>[Taps * Alpha];
        Vector512<float>* kernels = stackalloc Vector512<float>[taps];
        float* lanes = (float*)kernels;
        fixed (float* source = transformedGrad, target = weightGrad)
        {
            for (int o = 0; o < outChannels; o++)
            {
                for (int c = 0; c < inChannels; c += Lanes)
                {
                    float* at = source + ((nint)o * Alpha * Alpha * inChannels) + c;
                    for (int xi = 0; xi < Alpha * Alpha; xi++)
                    {
                        transformed[xi] = Vector512.Load(at + (xi * inChannels));
                    }

                    // half = Gᵀ dU (down each column), then Gᵀ dU G (along each row).
                    for (int j = 0; j < Alpha; j++)
                    {
                        Vector512<float>* column = transformed + j;
                        KernelTransformTransposed(column[0], column[Alpha], column[2 * Alpha], column[3 * Alpha], column[4 * Alpha], column[5 * Alpha], half + j, Alpha);
                    }

                    for (int a = 0; a < Taps; a++)
                    {
                        Vector512<float>* row = half + (a * Alpha);
                        KernelTransformTransposed(row[0], row[1], row[2], row[3], row[4], row[5], kernels + (a * Taps), 1);
                    }

                    // Sixteen kernels (c ... c + 15) side by side, tap by tap, added to their places.
                    for (int i = 0; i < Lanes; i++)
                    {
                        float* kernel = target + ((((nint)o * inChannels) + c + i) * taps);
                        for (int tap = 0; tap < taps; tap++)
                        {
                            kernel[tap] += lanes[(tap * Lanes) + i];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// One side of Gᵀ x for the points 0, 1, -1, 2, -1/2 (the columns of G: see <see cref="KernelTransform"/>),
    /// with the shared sum and difference of x1 and x2 taken once. A test checks it against the matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void KernelTransformTransposed(
        Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, Vector512<float> x4, Vector512<float> x5,
        Vector512<float>* g, int stride)
    {
        Vector512<float> third = Vector512.Create(1f / 3f), fifteenth = Vector512.Create(1f / 15f);
        Vector512<float> sumThird = (x1 + x2) * third, differenceThird = (x2 - x1) * third;
        g[0] = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(-16f), x4, x3), fifteenth, x0 + differenceThird);
        g[stride] = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(8f), x4, x3 + x3), fifteenth, -sumThird);
        g[2 * stride] = Vector512.FusedMultiplyAdd((x3 - x4) * Vector512.Create(4f), fifteenth, differenceThird);
        g[3 * stride] = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(8f), x3, x4 + x4), fifteenth, -sumThird);
        g[4 * stride] = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(16f), x3, -x4), fifteenth, differenceThird + x5);
    }

    /// <summary>dM_t = A dY_t Aᵀ for each tile's 2 x 2 output gradients, sixteen output channels at a time, into 8-channel slivers.</summary>
    [HotPath]
    private void TransformOutputGradTiles(float* tiledGrad, float* transformedGrad)
    {
        int outChannels = _g.OutChannels, tiles = Tiles, width = _tilesWide * TileOutputs;
        nint plane = GradientPlaneStride, nextBlock = (nint)tiles * GradientBlock;
        int tile = 0;
        for (int ty = 0; ty < _tilesHigh; ty++)
        {
            for (int tx = 0; tx < _tilesWide; tx++, tile++)
            {
                float* corner = tiledGrad + ((((nint)ty * TileOutputs * width) + (tx * TileOutputs)) * outChannels);
                for (int o = 0; o < outChannels; o += Lanes)
                {
                    float* below = corner + ((nint)width * outChannels);
                    Vector512<float> y00 = Vector512.Load(corner + o), y01 = Vector512.Load(corner + outChannels + o);
                    Vector512<float> y10 = Vector512.Load(below + o), y11 = Vector512.Load(below + outChannels + o);

                    // A along the columns of both rows, then along the rows of each of the six columns.
                    float* target = transformedGrad + (((nint)(o / GradientBlock) * tiles) + tile) * GradientBlock;
                    Expand(y00, y10, target, 0, plane, nextBlock);
                    Expand(y00 + y01, y10 + y11, target, 1, plane, nextBlock);
                    Expand(y00 - y01, y10 - y11, target, 2, plane, nextBlock);
                    Expand(Vector512.FusedMultiplyAdd(Vector512.Create(2f), y01, y00), Vector512.FusedMultiplyAdd(Vector512.Create(2f), y11, y10), target, 3, plane, nextBlock);
                    Expand(Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), y01, y00), Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), y11, y10), target, 4, plane, nextBlock);
                    Expand(y01, y11, target, 5, plane, nextBlock);
                }
            }
        }
    }

    /// <summary>
    /// Column <paramref name="column"/> of A (p, q)ᵀ for the points 0, 1, -1, 2, -1/2: p, p + q, p - q, p + 2q,
    /// p - q / 2, q (A's rows, Aᵀ's columns), stored to the planes ξ = 6 i + column, each vector split into its
    /// two 8-channel slivers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Expand(Vector512<float> p, Vector512<float> q, float* target, int column, nint plane, nint nextBlock)
    {
        float* at = target + (column * plane);
        nint row = Alpha * plane;
        StoreSlivers(p, at, nextBlock);
        StoreSlivers(p + q, at + row, nextBlock);
        StoreSlivers(p - q, at + (2 * row), nextBlock);
        StoreSlivers(Vector512.FusedMultiplyAdd(Vector512.Create(2f), q, p), at + (3 * row), nextBlock);
        StoreSlivers(Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), q, p), at + (4 * row), nextBlock);
        StoreSlivers(q, at + (5 * row), nextBlock);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSlivers(Vector512<float> value, float* at, nint nextBlock)
    {
        Vector256.Store(value.GetLower(), at);
        Vector256.Store(value.GetUpper(), at + nextBlock);
    }

    /// <summary>dU[ξ] (OutC x C, rows α² C apart) += dM[ξ]ᵀ V[ξ] over this image's tiles, in 8 x 32 blocks.</summary>
    [HotPath]
    private void MultiplyForWeightGrad(float* transformedGrad, float* transformedInput, int* tileOffsets, float* weightGrad)
    {
        int inChannels = _g.InChannels, outChannels = _g.OutChannels, tiles = Tiles;
        int blocks = outChannels / GradientBlock, slivers = inChannels / SliverWidth;
        for (int xi = 0; xi < Alpha * Alpha; xi++)
        {
            float* dm = transformedGrad + ((nint)xi * GradientPlaneStride);
            float* v = transformedInput + ((nint)xi * _inputPlaneStride);
            float* du = weightGrad + ((nint)xi * inChannels);
            nint rowStride = (nint)Alpha * Alpha * inChannels;
            for (int block = 0; block < blocks; block++)
            {
                for (int s = 0; s < slivers; s++)
                {
                    GemmMicroKernels.Kernel8x32(
                        tiles, dm + ((nint)block * tiles * GradientBlock), v + (s * SliverWidth), tileOffsets,
                        du + (block * GradientBlock * rowStride) + (s * SliverWidth), rowStride, accumulate: true);
                }
            }
        }
    }
}
