using System.Runtime.CompilerServices;
using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// The cache-blocked loops of <see cref="Gemm"/> over one rectangle of C on one thread (Goto's algorithm):
/// for each NC-wide panel and KC-deep slice, pack op(B) once, then for each MC-high block pack op(A) and sweep
/// the register tiles. Full tiles are written in place; edge tiles go through a small buffer.
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
        for (int jc = colStart; jc < colEnd; jc += tiling.Nc)
        {
            int nc = Math.Min(tiling.Nc, colEnd - jc);
            for (int pc = 0; pc < g.K; pc += tiling.Kc)
            {
                int kc = Math.Min(tiling.Kc, g.K - pc);
                bool accumulate = g.Accumulate || pc > 0;
                GemmPacking.PackB(g, pc, kc, jc, nc, nr, scratch.PackedB);
                for (int ic = rowStart; ic < rowEnd; ic += tiling.Mc)
                {
                    int mc = Math.Min(tiling.Mc, rowEnd - ic);
                    float* packedBlock = scratch.PackedA;
                    if (g.PackedA is null)
                    {
                        GemmPacking.PackA(g, ic, mc, pc, kc, mr, packedBlock);
                    }
                    else
                    {
                        packedBlock = g.PackedA + ((nint)pc * GemmPacking.RoundUp(g.M, mr)) + ((nint)ic * kc);
                    }

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int width = Math.Min(nr, nc - jr);
                        float* packedB = scratch.PackedB + ((nint)jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int height = Math.Min(mr, mc - ir);
                            float* packedA = packedBlock + ((nint)ir * kc);
                            float* c = g.C + ((nint)(ic + ir) * g.Ldc) + jc + jr;
                            if (height == mr && width == nr)
                            {
                                RunKernel(tiling, kc, packedA, packedB, c, g.Ldc, accumulate);
                            }
                            else
                            {
                                RunKernel(tiling, kc, packedA, packedB, scratch.Tile, nr, accumulate: false);
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
