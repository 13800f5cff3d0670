using System.Runtime.CompilerServices;

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
    public static void PackA(in GemmOperands g, int row0, int rows, int k0, int kc, int mr, float* packed)
    {
        float alpha = g.Alpha;
        for (int s = 0; s < rows; s += mr)
        {
            int height = Math.Min(mr, rows - s);
            float* sliver = packed + ((nint)s * kc);
            if (g.TransA)
            {
                // op(A)[i, k] = A[k, i]: each k contributes MR consecutive floats.
                float* source = g.A + ((nint)k0 * g.Lda) + row0 + s;
                for (int k = 0; k < kc; k++)
                {
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

                    source += g.Lda;
                }
            }
            else
            {
                // op(A)[i, k] = A[i, k]: rows are read contiguously and scattered with stride MR.
                for (int r = 0; r < height; r++)
                {
                    float* source = g.A + ((nint)(row0 + s + r) * g.Lda) + k0;
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

    /// <summary>Packs rows [k0, k0 + kc) and columns [col0, col0 + cols) of op(B).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(in GemmOperands g, int k0, int kc, int col0, int cols, int nr, float* packed)
    {
        for (int t = 0; t < cols; t += nr)
        {
            int width = Math.Min(nr, cols - t);
            float* sliver = packed + ((nint)t * kc);
            if (g.TransB)
            {
                // op(B)[k, j] = B[j, k]: columns of op(B) are rows of B, scattered with stride NR.
                for (int c = 0; c < width; c++)
                {
                    float* source = g.B + ((nint)(col0 + t + c) * g.Ldb) + k0;
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
                float* source = g.B + ((nint)k0 * g.Ldb) + col0 + t;
                uint bytes = (uint)width * sizeof(float);
                for (int k = 0; k < kc; k++)
                {
                    float* row = sliver + ((nint)k * nr);
                    Unsafe.CopyBlockUnaligned(row, source, bytes);
                    for (int c = width; c < nr; c++)
                    {
                        row[c] = 0f;
                    }

                    source += g.Ldb;
                }
            }
        }
    }
}
