using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// The few-feature Linear kernels (gathered blocks of eight rows and a scalar tail) against float64, at every row count
/// from 0 to 40 (whole blocks and every tail) and every weight shape up to 8 x 8, writing into NaN (nothing may be
/// read) and adding to an existing gradient; the packed GEMM path of larger layers gives the same results within
/// float32 rounding. Tolerance: 1e-6 relative to the sum of the terms' magnitudes.
/// </summary>
public sealed class SmallLinearKernelTests
{
    [Fact]
    public void Forward_input_and_weight_gradients_match_float64()
    {
        for (int inFeatures = 1; inFeatures <= 8; inFeatures++)
        {
            for (int outFeatures = 1; outFeatures <= 8; outFeatures++)
            {
                for (int rows = 0; rows <= 40; rows += rows < 17 ? 1 : 7)
                {
                    Check(rows, inFeatures, outFeatures);
                }
            }
        }
    }

    private static void Check(int rows, int inFeatures, int outFeatures)
    {
        int seed = (rows * 100) + (inFeatures * 10) + outFeatures;
        float[] x = TestData.Uniform(rows * inFeatures, seed), w = TestData.Uniform(inFeatures * outFeatures, seed + 1);
        float[] dy = TestData.Uniform(rows * outFeatures, seed + 2), b = TestData.Uniform(outFeatures, seed + 3);
        string where = $"rows={rows}, in={inFeatures}, out={outFeatures}";

        var y = new float[rows * outFeatures];
        LinearKernels.Forward(x, w, b, rows, inFeatures, outFeatures, y);
        var dx = new float[rows * inFeatures];
        Array.Fill(dx, float.NaN);
        LinearKernels.InputGrad(dy, w, rows, inFeatures, outFeatures, dx, accumulate: false);
        var dxAdded = new float[rows * inFeatures];
        Array.Fill(dxAdded, 0.5f);
        LinearKernels.InputGrad(dy, w, rows, inFeatures, outFeatures, dxAdded, accumulate: true);
        var dw = new float[inFeatures * outFeatures];
        Array.Fill(dw, float.NaN);
        LinearKernels.WeightGrad(dy, x, rows, inFeatures, outFeatures, dw, accumulate: false);
        var dwAdded = new float[inFeatures * outFeatures];
        Array.Fill(dwAdded, -0.25f);
        LinearKernels.WeightGrad(dy, x, rows, inFeatures, outFeatures, dwAdded, accumulate: true);

        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = b[o], magnitude = Math.Abs(b[o]);
                for (int k = 0; k < inFeatures; k++)
                {
                    sum += (double)x[(r * inFeatures) + k] * w[(o * inFeatures) + k];
                    magnitude += Math.Abs((double)x[(r * inFeatures) + k] * w[(o * inFeatures) + k]);
                }

                AssertClose(sum, y[(r * outFeatures) + o], magnitude, $"{where}: y[{r}, {o}]");
            }

            for (int k = 0; k < inFeatures; k++)
            {
                double sum = 0, magnitude = 0;
                for (int o = 0; o < outFeatures; o++)
                {
                    sum += (double)dy[(r * outFeatures) + o] * w[(o * inFeatures) + k];
                    magnitude += Math.Abs((double)dy[(r * outFeatures) + o] * w[(o * inFeatures) + k]);
                }

                AssertClose(sum, dx[(r * inFeatures) + k], magnitude, $"{where}: dx[{r}, {k}]");
                AssertClose(0.5 + sum, dxAdded[(r * inFeatures) + k], magnitude + 0.5, $"{where}: dx += [{r}, {k}]");
            }
        }

        for (int o = 0; o < outFeatures; o++)
        {
            for (int k = 0; k < inFeatures; k++)
            {
                double sum = 0, magnitude = 0;
                for (int r = 0; r < rows; r++)
                {
                    sum += (double)dy[(r * outFeatures) + o] * x[(r * inFeatures) + k];
                    magnitude += Math.Abs((double)dy[(r * outFeatures) + o] * x[(r * inFeatures) + k]);
                }

                AssertClose(sum, dw[(o * inFeatures) + k], magnitude, $"{where}: dW[{o}, {k}]");
                AssertClose(sum - 0.25, dwAdded[(o * inFeatures) + k], magnitude + 0.25, $"{where}: dW += [{o}, {k}]");
            }
        }
    }

    private static void AssertClose(double expected, float actual, double magnitude, string what) =>
        Assert.True(Math.Abs(actual - expected) <= (1e-6 * magnitude) + 1e-7, $"{what}: expected {expected:R}, got {actual:R}");
}
