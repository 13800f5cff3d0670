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
                    float* packedBlock = scratch.PackedA;
                    if (g.PackedA is null && fullHeight < mc)
                    {
                        GemmPacking.PackA(g, ic + fullHeight, mc - fullHeight, pc, kc, mr, packedBlock + ((nint)fullHeight * kc));
                    }
                    else
                    {
                        packedBlock = g.PackedA + ((nint)pc * GemmPacking.RoundUp(g.M, mr)) + ((nint)ic * kc);
                    }

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int width = Math.Min(nr, nc - jr);
                        float* packedB = scratch.PackedB + ((nint)jr * kc);
                        bool inPlace = jr < fullWidth;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int height = Math.Min(mr, mc - ir);
                            float* packedA = packedBlock + ((nint)ir * kc);
                            float* c = g.C + ((nint)(ic + ir) * g.Ldc) + jc + jr;
                            bool full = height == mr && width == nr;
                            float* target = full ? c : scratch.Tile;
                            nint targetStride = full ? g.Ldc : nr;
                            bool accumulateTarget = full && accumulate;
                            if (inPlace)
                            {
                                GemmMicroKernels.Kernel8x32(kc, packedA, g.B + jc + jr, g.BRows + pc, target, targetStride, accumulateTarget);
                            }
                            else if (ir < fullHeight)
                            {
                                GemmMicroKernels.Kernel8x32(kc, g.A, g.ARows + ic + ir, pc, packedB, target, targetStride, accumulateTarget);
                            }
                            else
                            {
                                RunKernel(tiling, kc, packedA, packedB, target, targetStride, accumulateTarget);
                            }

                            if (!full)
                            {
                                MergeEdge(scratch.Tile, nr, c, g.Ldc, height, width, accumulate);
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
        if (tiling.IsWide)
        {
            GemmMicroKernels.Kernel8x32(kc, a, b, c, ldc, accumulate);
        }
        else
        {
            GemmMicroKernels.Kernel6x16(kc, a, b, c, ldc, accumulate);
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
