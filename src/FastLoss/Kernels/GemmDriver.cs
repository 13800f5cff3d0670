using System.Runtime.CompilerServices;
using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// The cache-blocked loops of <see cref="Gemm"/> over one rectangle of C on one thread (Goto's algorithm):
/// for each NC-wide panel and KC-deep slice, pack op(B) once, then for each MC-high block pack op(A) and sweep
/// the register tiles. Full tiles are written in place; edge tiles go through a small buffer. Rows found through a
/// row table (a convolution's tap rows) are read in place by the micro-kernels instead of being packed.
/// </summary>
internal static unsafe class GemmDriver
{
    // The depth of one sweep over operands read in place: 128 rows of a 32-wide B sliver are 16 KB, half of L1.
    private const int InPlaceDepth = 128;

    /// <summary>Computes rows [rowStart, rowEnd) and columns [colStart, colEnd) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [HotPath]
    public static void Compute(in GemmOperands g, int rowStart, int rowEnd, int colStart, int colEnd)
    {
        GemmTiling tiling = GemmTiling.Current;
        GemmScratch scratch = GemmScratch.Current;
        int mr = tiling.Mr, nr = tiling.Nr;

        // Rows given by a table (tap rows) are read in place by the wide kernel, B's when they are rows of op(B)
        // and A's when they are rows of op(A) and alpha is 1 (packing is where alpha is applied); only a last,
        // narrower sliver is packed.
        bool inPlaceB = g.BRows is not null && !g.TransB && tiling.IsWide;
        bool inPlaceA = !inPlaceB && g.ARows is not null && !g.TransA && g.PackedA is null && g.Alpha == 1f && tiling.IsWide;
        for (int jc = colStart; jc < colEnd; jc += tiling.Nc)
        {
            int nc = Math.Min(tiling.Nc, colEnd - jc);
            int fullWidth = inPlaceB ? nc / nr * nr : 0;
            for (int pc = 0; pc < g.K; pc += tiling.Kc)
            {
                int kc = Math.Min(tiling.Kc, g.K - pc);
                bool accumulate = g.Accumulate || pc > 0;
                if (fullWidth < nc)
                {
                    GemmPacking.PackB(g, pc, kc, jc + fullWidth, nc - fullWidth, nr, scratch.PackedB + ((nint)fullWidth * kc));
                }

                for (int ic = rowStart; ic < rowEnd; ic += tiling.Mc)
                {
                    int mc = Math.Min(tiling.Mc, rowEnd - ic);
                    int fullHeight = inPlaceA ? mc / mr * mr : 0;
                    float* packedBlock;
                    if (g.PackedA is not null)
                    {
                        packedBlock = g.PackedA + ((nint)pc * GemmPacking.RoundUp(g.M, mr)) + ((nint)ic * kc);
                    }
                    else
                    {
                        packedBlock = scratch.PackedA;
                        if (fullHeight < mc)
                        {
                            GemmPacking.PackA(g, ic + fullHeight, mc - fullHeight, pc, kc, mr, packedBlock + ((nint)fullHeight * kc));
                        }
                    }

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int width = Math.Min(nr, nc - jr);
                        float* packedB = scratch.PackedB + ((nint)jr * kc);
                        bool sliverInPlace = jr < fullWidth;

                        // Operands read in place are swept in shallower steps, so that the rows one step reads stay
                        // in L1 for all the row tiles that reuse them.
                        int step = sliverInPlace || inPlaceA ? InPlaceDepth : kc;
                        for (int p0 = 0; p0 < kc; p0 += step)
                        {
                            int depth = Math.Min(step, kc - p0);
                            bool accumulateStep = accumulate || p0 > 0;
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int height = Math.Min(mr, mc - ir);
                                float* packedA = packedBlock + ((nint)ir * kc) + ((nint)p0 * mr);
                                float* c = g.C + ((nint)(ic + ir) * g.Ldc) + jc + jr;
                                bool full = height == mr && width == nr;
                                float* target = full ? c : scratch.Tile;
                                nint targetStride = full ? g.Ldc : nr;
                                bool accumulateTarget = full && accumulateStep;
                                if (sliverInPlace)
                                {
                                    GemmMicroKernels.Kernel8x32(depth, packedA, g.B + jc + jr, g.BRows + pc + p0, target, targetStride, accumulateTarget);
                                }
                                else if (ir < fullHeight)
                                {
                                    GemmMicroKernels.Kernel8x32(depth, g.A, g.ARows + ic + ir, pc + p0, packedB + ((nint)p0 * nr), target, targetStride, accumulateTarget);
                                }
                                else
                                {
                                    RunKernel(tiling, depth, packedA, packedB + ((nint)p0 * nr), target, targetStride, accumulateTarget);
                                }

                                if (!full)
                                {
                                    MergeEdge(scratch.Tile, nr, c, g.Ldc, height, width, accumulateStep);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    [HotPath]
    private static void RunKernel(GemmTiling tiling, int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        switch (tiling.Kernel)
        {
            case GemmKernel.Wide:
                GemmMicroKernels.Kernel8x32(kc, a, b, c, ldc, accumulate);
                break;
            case GemmKernel.Narrow:
                GemmMicroKernels.Kernel6x16(kc, a, b, c, ldc, accumulate);
                break;
            case GemmKernel.Compact:
                GemmMicroKernels.Kernel6x8(kc, a, b, c, ldc, accumulate);
                break;
            default:
                GemmMicroKernels.Kernel4x4(kc, a, b, c, ldc, accumulate);
                break;
        }
    }

    [HotPath]
    private static void MergeEdge(float* tile, int tileStride, float* c, int ldc, int height, int width, bool accumulate)
    {
        for (int r = 0; r < height; r++)
        {
            float* source = tile + ((nint)r * tileStride);
            float* target = c + ((nint)r * ldc);
            if (accumulate)
            {
                for (int j = 0; j < width; j++)
                {
                    target[j] = source[j] + target[j];
                }
            }
            else
            {
                for (int j = 0; j < width; j++)
                {
                    target[j] = source[j];
                }
            }
        }
    }
}
