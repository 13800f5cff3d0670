using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;
using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous sliver layout the micro-kernels read: A in slivers of MR
/// rows stored column by column (MR values per k), B in slivers of NR columns stored row by row (NR values per
/// k). Slivers at the edge are padded with zeros so the kernels always run full tiles. Alpha is applied here,
/// once per element of A, instead of once per element of C.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs rows [row0, row0 + rows) and columns [k0, k0 + kc) of alpha * op(A).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [HotPath]
    public static void PackA(in GemmOperands g, int row0, int rows, int k0, int kc, int mr, float* packed)
    {
        float alpha = g.Alpha;
        float** eightRows = stackalloc float*[8];
        for (int s = 0; s < rows; s += mr)
        {
            int height = Math.Min(mr, rows - s);
            float* sliver = packed + ((nint)s * kc);
            if (g.TransA && mr == 8 && height == 8 && Vector256.IsHardwareAccelerated)
            {
                // op(A)[i, k] = A[k, i]: each k contributes 8 consecutive floats, one vector.
                Vector256<float> factor = Vector256.Create(alpha);
                for (int k = 0; k < kc; k++)
                {
                    Vector256.Store(Vector256.Load(g.RowOfA(k0 + k) + row0 + s) * factor, sliver + ((nint)k * 8));
                }
            }
            else if (g.TransA)
            {
                // op(A)[i, k] = A[k, i]: each k contributes MR consecutive floats.
                for (int k = 0; k < kc; k++)
                {
                    float* source = g.RowOfA(k0 + k) + row0 + s;
                    float* column = sliver + ((nint)k * mr);
                    int r = 0;
                    for (; r < height; r++)
                    {
                        column[r] = alpha * source[r];
                    }

                    for (; r < mr; r++)
                    {
                        column[r] = 0f;
                    }
                }
            }
            else if (mr == 8 && height == 8 && Avx.IsSupported)
            {
                // op(A)[i, k] = A[i, k]: 8 x 8 blocks of the 8 rows are transposed in registers.
                for (int r = 0; r < 8; r++)
                {
                    eightRows[r] = g.RowOfA(row0 + s + r) + k0;
                }

                int k = 0;
                for (; k <= kc - 8; k += 8)
                {
                    RegisterTranspose.Transpose8x8(eightRows, k, sliver + ((nint)k * 8), 8, alpha);
                }

                for (; k < kc; k++)
                {
                    for (int r = 0; r < 8; r++)
                    {
                        sliver[((nint)k * 8) + r] = alpha * eightRows[r][k];
                    }
                }
            }
            else
            {
                // op(A)[i, k] = A[i, k]: rows are read contiguously and scattered with stride MR.
                for (int r = 0; r < height; r++)
                {
                    float* source = g.RowOfA(row0 + s + r) + k0;
                    float* target = sliver + r;
                    for (int k = 0; k < kc; k++)
                    {
                        target[(nint)k * mr] = alpha * source[k];
                    }
                }

                for (int r = height; r < mr; r++)
                {
                    float* target = sliver + r;
                    for (int k = 0; k < kc; k++)
                    {
                        target[(nint)k * mr] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Floats <see cref="PackWholeA"/> needs for an M x K op(A), for any tiling.</summary>
    public static int WholeASize(int m, int k) => (m + 8) * k;

    /// <summary>
    /// Packs all of alpha * op(A) (M x K) for the current tiling: KC-deep slices one after another, each holding
    /// the slivers of all M rows (padded to a multiple of MR), so the block of rows [ic, ic + MC) of the slice at
    /// pc starts at pc * roundUp(M, MR) + ic * kc.
    /// </summary>
    [HotPath]
    public static void PackWholeA(in GemmOperands g, float* packed)
    {
        GemmTiling tiling = GemmTiling.Current;
        int paddedRows = RoundUp(g.M, tiling.Mr);
        for (int pc = 0; pc < g.K; pc += tiling.Kc)
        {
            PackA(g, 0, g.M, pc, Math.Min(tiling.Kc, g.K - pc), tiling.Mr, packed + ((nint)pc * paddedRows));
        }
    }

    public static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Packs rows [k0, k0 + kc) and columns [col0, col0 + cols) of op(B).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [HotPath]
    public static void PackB(in GemmOperands g, int k0, int kc, int col0, int cols, int nr, float* packed)
    {
        float** eightRows = stackalloc float*[8];
        for (int t = 0; t < cols; t += nr)
        {
            int width = Math.Min(nr, cols - t);
            float* sliver = packed + ((nint)t * kc);
            if (g.TransB && width == nr && nr % 8 == 0 && Avx.IsSupported)
            {
                // op(B)[k, j] = B[j, k]: 8 x 8 blocks of 8 rows of B (8 columns of op(B)) are transposed in registers.
                for (int c = 0; c < nr; c += 8)
                {
                    for (int j = 0; j < 8; j++)
                    {
                        eightRows[j] = g.RowOfB(col0 + t + c + j) + k0;
                    }

                    int k = 0;
                    for (; k <= kc - 8; k += 8)
                    {
                        RegisterTranspose.Transpose8x8(eightRows, k, sliver + ((nint)k * nr) + c, nr, 1f);
                    }

                    for (; k < kc; k++)
                    {
                        for (int j = 0; j < 8; j++)
                        {
                            sliver[((nint)k * nr) + c + j] = eightRows[j][k];
                        }
                    }
                }
            }
            else if (g.TransB)
            {
                // op(B)[k, j] = B[j, k]: columns of op(B) are rows of B, scattered with stride NR.
                for (int c = 0; c < width; c++)
                {
                    float* source = g.RowOfB(col0 + t + c) + k0;
                    float* target = sliver + c;
                    for (int k = 0; k < kc; k++)
                    {
                        target[(nint)k * nr] = source[k];
                    }
                }

                for (int c = width; c < nr; c++)
                {
                    float* target = sliver + c;
                    for (int k = 0; k < kc; k++)
                    {
                        target[(nint)k * nr] = 0f;
                    }
                }
            }
            else
            {
                // op(B)[k, j] = B[k, j]: each k contributes NR consecutive floats.
                if (width == nr && nr % 8 == 0 && Vector256.IsHardwareAccelerated)
                {
                    for (int k = 0; k < kc; k++)
                    {
                        float* source = g.RowOfB(k0 + k) + col0 + t;
                        float* row = sliver + ((nint)k * nr);
                        for (int c = 0; c < nr; c += 8)
                        {
                            Vector256.Store(Vector256.Load(source + c), row + c);
                        }
                    }

                    continue;
                }

                uint bytes = (uint)width * sizeof(float);
                for (int k = 0; k < kc; k++)
                {
                    float* row = sliver + ((nint)k * nr);
                    Unsafe.CopyBlockUnaligned(row, g.RowOfB(k0 + k) + col0 + t, bytes);
                    for (int c = width; c < nr; c++)
                    {
                        row[c] = 0f;
                    }
                }
            }
        }
    }
}
