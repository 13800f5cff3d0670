using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// The Cook-Toom construction of F(m, r) against the correlation it stands for, in float64: for every m and r the
/// points allow, Aᵀ[(G g) ⊙ (Bᵀ d)] equals y_i = Σ_k d_(i+k) g_k, and the two-dimensional form equals the 2-D
/// correlation of a tile.
/// </summary>
public sealed class WinogradTransformsTests
{
    public static TheoryData<int, int> Sizes()
    {
        var sizes = new TheoryData<int, int>();
        for (int m = 1; m <= 6; m++)
        {
            for (int r = 1; m + r - 1 <= WinogradTransforms.MaxAlpha; r++)
            {
                sizes.Add(m, r);
            }
        }

        return sizes;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_one_dimensional_algorithm_is_the_correlation(int m, int r)
    {
        var transforms = new WinogradTransforms(m, r);
        int alpha = m + r - 1;
        Assert.Equal(alpha, transforms.Alpha);
        double[] d = TestData.ToDouble(TestData.Uniform(alpha, m + (10 * r)));
        double[] g = TestData.ToDouble(TestData.Uniform(r, 100 + m + (10 * r)));

        double[] u = Multiply(transforms.KernelTransform, g);
        double[] v = Multiply(transforms.InputTransform, d);
        double[] products = new double[alpha];
        for (int j = 0; j < alpha; j++)
        {
            products[j] = u[j] * v[j];
        }

        double[] y = Multiply(transforms.OutputTransform, products);
        for (int i = 0; i < m; i++)
        {
            double expected = 0, magnitude = 0;
            for (int k = 0; k < r; k++)
            {
                expected += d[i + k] * g[k];
                magnitude += Math.Abs(d[i + k] * g[k]);
            }

            // The construction is exact; float64 rounding of coefficients up to 3^9 leaves ~1e-11.
            Assert.True(Math.Abs(y[i] - expected) <= 1e-9 * (magnitude + 1), $"F({m}, {r}): y[{i}] = {y[i]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void The_two_dimensional_form_of_f2_5_is_the_correlation_of_a_tile()
    {
        var t = new WinogradTransforms(2, 5);
        double[] d = TestData.ToDouble(TestData.Uniform(36, 1));
        double[] g = TestData.ToDouble(TestData.Uniform(25, 2));
        double[] u = Sandwich(t.KernelTransform, g, 5);
        double[] v = Sandwich(t.InputTransform, d, 6);
        double[] products = new double[36];
        for (int i = 0; i < 36; i++)
        {
            products[i] = u[i] * v[i];
        }

        double[] y = Sandwich(t.OutputTransform, products, 6);
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                double expected = 0;
                for (int ki = 0; ki < 5; ki++)
                {
                    for (int kj = 0; kj < 5; kj++)
                    {
                        expected += d[((i + ki) * 6) + j + kj] * g[(ki * 5) + kj];
                    }
                }

                Assert.Equal(expected, y[(i * 2) + j], 1e-10);
            }
        }
    }

    [Fact]
    public void The_sparse_rows_hold_exactly_the_nonzero_entries()
    {
        var t = new WinogradTransforms(2, 5);
        foreach (WinogradTransforms.SparseMatrix matrix in new[] { t.InputTransform, t.OutputTransform, t.KernelTransform })
        {
            var dense = new double[matrix.Rows * matrix.Columns];
            for (int i = 0; i < matrix.Rows; i++)
            {
                for (int e = matrix.RowStarts[i]; e < matrix.RowStarts[i + 1]; e++)
                {
                    dense[(i * matrix.Columns) + matrix.ColumnIndices[e]] = matrix.Coefficients[e];
                }
            }

            for (int i = 0; i < dense.Length; i++)
            {
                Assert.Equal((float)matrix.Values[i], (float)dense[i]);
            }
        }
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(2, 0)]
    [InlineData(4, 8)]
    public void Sizes_the_points_cannot_serve_are_rejected(int m, int r)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new WinogradTransforms(m, r));
        Assert.Contains($"got F({m}, {r})", error.Message, StringComparison.Ordinal);
    }

    /// <summary>matrix (rows x columns) times vector.</summary>
    private static double[] Multiply(WinogradTransforms.SparseMatrix matrix, double[] vector)
    {
        var result = new double[matrix.Rows];
        for (int i = 0; i < matrix.Rows; i++)
        {
            for (int j = 0; j < matrix.Columns; j++)
            {
                result[i] += matrix.Values[(i * matrix.Columns) + j] * vector[j];
            }
        }

        return result;
    }

    /// <summary>M X Mᵀ for a square <paramref name="size"/> x <paramref name="size"/> X.</summary>
    private static double[] Sandwich(WinogradTransforms.SparseMatrix matrix, double[] x, int size)
    {
        int rows = matrix.Rows;
        var left = new double[rows * size];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < size; j++)
            {
                for (int k = 0; k < size; k++)
                {
                    left[(i * size) + j] += matrix.Values[(i * size) + k] * x[(k * size) + j];
                }
            }
        }

        var result = new double[rows * rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < rows; j++)
            {
                for (int k = 0; k < size; k++)
                {
                    result[(i * rows) + j] += left[(i * size) + k] * matrix.Values[(j * size) + k];
                }
            }
        }

        return result;
    }
}
