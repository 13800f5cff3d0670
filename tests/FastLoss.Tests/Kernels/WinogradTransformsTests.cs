using FastLoss.Functional.Classification;
using System.Runtime.Intrinsics;
using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;
using FastLoss.Generation;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// The Cook-Toom construction of F(m, r) against the correlation it stands for, in float64: for every m and r the
/// points allow, Aᵀ[(G g) ⊙ (Bᵀ d)] equals y_i = Σ_k d_(i+k) g_k, and the two-dimensional form equals the 2-D
/// correlation of a tile; and the formulas WinogradConvolution writes out for F(2, 5) against the matrices.
/// </summary>
public sealed unsafe class WinogradTransformsTests
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
    public void The_written_out_transforms_of_the_convolution_are_the_matrices_of_its_points()
    {
        // Each formula is linear, so feeding it unit vectors (a different scale in each lane) reads its matrix back.
        var t = new WinogradTransforms(2, 5);
        Vector512<float> scales = Vector512.Create(1f, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, 0.5f, 0.25f, 1.5f, 10);
        Vector512<float>* result = stackalloc Vector512<float>[6];
        for (int k = 0; k < 6; k++)
        {
            Vector512<float>[] unit = Unit(k, 6, scales);
            WinogradConvolution.InputTransform<Lanes512, Vector512<float>>(unit[0], unit[1], unit[2], unit[3], unit[4], unit[5], (float*)result, Vector512<float>.Count);
            AssertColumn(t.InputTransform, k, result, 6, scales, "Bᵀ");

            result[0] = WinogradConvolution.OutputFirst<Lanes512, Vector512<float>>(unit[0], unit[1], unit[2], unit[3], unit[4]);
            result[1] = WinogradConvolution.OutputSecond<Lanes512, Vector512<float>>(unit[1], unit[2], unit[3], unit[4], unit[5]);
            AssertColumn(t.OutputTransform, k, result, 2, scales, "Aᵀ");
        }

        // The kernel transform is in float64: its matrix comes back to float64 rounding.
        // at one lane and at four (four different scales, as above).
        Float64x1* column = stackalloc Float64x1[6];
        Float64x4* columns = stackalloc Float64x4[6];
        Vector256<double> scales4 = Vector256.Create(1.0, -2, 0.5, 10);
        for (int k = 0; k < 5; k++)
        {
            Float64x1 one = new(1), zero = new(0);
            Float64x4 scaled = new(scales4), none = new(Vector256<double>.Zero);
            WinogradConvolution.KernelTransform(k == 0 ? one : zero, k == 1 ? one : zero, k == 2 ? one : zero, k == 3 ? one : zero, k == 4 ? one : zero, column, 1);
            WinogradConvolution.KernelTransform(k == 0 ? scaled : none, k == 1 ? scaled : none, k == 2 ? scaled : none, k == 3 ? scaled : none, k == 4 ? scaled : none, columns, 1);
            for (int i = 0; i < 6; i++)
            {
                double expected = t.KernelTransform.Values[(i * t.KernelTransform.Columns) + k];
                Assert.True(Math.Abs(column[i].Value - expected) <= 1e-15 * Math.Abs(expected), $"G[{i}, {k}]: {column[i].Value:R}, expected {expected:R}");
                for (int lane = 0; lane < Float64x4.Count; lane++)
                {
                    double laneExpected = expected * scales4[lane];
                    Assert.True(Math.Abs(columns[i].Value[lane] - laneExpected) <= 1e-15 * Math.Abs(laneExpected), $"G[{i}, {k}], lane {lane}: {columns[i].Value[lane]:R}, expected {laneExpected:R}");
                }
            }
        }
    }

    private static Vector512<float>[] Unit(int k, int length, Vector512<float> scales)
    {
        var unit = new Vector512<float>[length];
        unit[k] = scales;
        return unit;
    }

    private static void AssertColumn(WinogradTransforms.Matrix matrix, int k, Vector512<float>* result, int rows, Vector512<float> scales, string name)
    {
        Assert.Equal(rows, matrix.Rows);
        for (int i = 0; i < rows; i++)
        {
            AssertLanes(matrix.Values[(i * matrix.Columns) + k], result[i], scales, $"{name}[{i}, {k}]");
        }
    }

    /// <summary>Each lane holds the entry times the lane's scale, to float32 rounding (1/3 and 1/15 are rounded).</summary>
    private static void AssertLanes(double entry, Vector512<float> lanes, Vector512<float> scales, string what)
    {
        for (int lane = 0; lane < Vector512<float>.Count; lane++)
        {
            double expected = entry * scales[lane];
            Assert.True(Math.Abs(lanes[lane] - expected) <= 4e-7 * Math.Abs(expected), $"{what}, lane {lane}: {lanes[lane]:R}, expected {expected:R}");
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
    private static double[] Multiply(WinogradTransforms.Matrix matrix, double[] vector)
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
    private static double[] Sandwich(WinogradTransforms.Matrix matrix, double[] x, int size)
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
