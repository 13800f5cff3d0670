using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FastLoss.Generation;

namespace FastLoss.Kernels;

/// <summary>
/// Linear layers with a few features (a weight of at most <see cref="MaxWeight"/> values, as the second seed's 4x3,
/// 3x2 and 2x1): the packed product would pad N to a whole sliver and spend more on packing than on arithmetic,
/// and a loop per row is a chain of a handful of dependent multiply-adds. Here eight rows go at once: each feature
/// of the eight is gathered into one vector (AVX2), so the products are vector multiply-adds along the batch. The
/// rows left over, and machines without AVX2, take the scalar loop. Sums run over the features (forward, input
/// gradient) or over the rows in order within each lane (weight gradient), in float32 as the GEMM does.
/// </summary>
internal static unsafe class SmallLinearKernels
{
    /// <summary>The largest weight (in x out values) these kernels take.</summary>
    public const int MaxWeight = 64;

    private const int Lanes = 8;

    /// <summary>y = x W^T (+ the bias already in <paramref name="output"/> when <paramref name="addToOutput"/>).</summary>
    [HotPath]
    public static void Forward(
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, bool addToOutput, int rows, int inFeatures, int outFeatures, Span<float> output)
    {
        fixed (float* x0 = input, w = weight, y0 = output)
        {
            int r = 0;
            if (Avx2.IsSupported && Fma.IsSupported)
            {
                Vector256<float>* columns = stackalloc Vector256<float>[MaxWeight];
                float* block = stackalloc float[Lanes * MaxWeight];
                Vector256<int> rowStarts = RowStarts(inFeatures);
                for (; r + Lanes <= rows; r += Lanes)
                {
                    float* x = x0 + ((nint)r * inFeatures);
                    for (int k = 0; k < inFeatures; k++)
                    {
                        columns[k] = Avx2.GatherVector256(x + k, rowStarts, 4);
                    }

                    for (int o = 0; o < outFeatures; o++)
                    {
                        float* wo = w + ((nint)o * inFeatures);
                        Vector256<float> sum = Vector256<float>.Zero;
                        for (int k = 0; k < inFeatures; k++)
                        {
                            sum = Vector256.FusedMultiplyAdd(columns[k], Vector256.Create(wo[k]), sum);
                        }

                        sum.Store(block + (o * Lanes));
                    }

                    Scatter(block, y0 + ((nint)r * outFeatures), outFeatures, addToOutput);
                }
            }

            for (; r < rows; r++)
            {
                float* x = x0 + ((nint)r * inFeatures), y = y0 + ((nint)r * outFeatures);
                for (int o = 0; o < outFeatures; o++)
                {
                    float* wo = w + ((nint)o * inFeatures);
                    float dot = 0f;
                    for (int k = 0; k < inFeatures; k++)
                    {
                        dot = HardwareFma.MultiplyAdd(x[k], wo[k], dot);
                    }

                    y[o] = addToOutput ? y[o] + dot : dot;
                }
            }
        }
    }

    /// <summary>dx (=, or with <paramref name="accumulate"/> +=) dy W.</summary>
    [HotPath]
    public static void InputGrad(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weight, int rows, int inFeatures, int outFeatures, Span<float> inputGrad, bool accumulate)
    {
        fixed (float* dy0 = outputGrad, w = weight, dx0 = inputGrad)
        {
            int r = 0;
            if (Avx2.IsSupported && Fma.IsSupported)
            {
                Vector256<float>* columns = stackalloc Vector256<float>[MaxWeight];
                float* block = stackalloc float[Lanes * MaxWeight];
                Vector256<int> rowStarts = RowStarts(outFeatures);
                for (; r + Lanes <= rows; r += Lanes)
                {
                    float* dy = dy0 + ((nint)r * outFeatures);
                    for (int o = 0; o < outFeatures; o++)
                    {
                        columns[o] = Avx2.GatherVector256(dy + o, rowStarts, 4);
                    }

                    for (int k = 0; k < inFeatures; k++)
                    {
                        Vector256<float> sum = Vector256<float>.Zero;
                        for (int o = 0; o < outFeatures; o++)
                        {
                            sum = Vector256.FusedMultiplyAdd(columns[o], Vector256.Create(w[((nint)o * inFeatures) + k]), sum);
                        }

                        sum.Store(block + (k * Lanes));
                    }

                    Scatter(block, dx0 + ((nint)r * inFeatures), inFeatures, accumulate);
                }
            }

            for (; r < rows; r++)
            {
                float* dy = dy0 + ((nint)r * outFeatures), dx = dx0 + ((nint)r * inFeatures);
                for (int k = 0; k < inFeatures; k++)
                {
                    float sum = 0f;
                    for (int o = 0; o < outFeatures; o++)
                    {
                        sum = HardwareFma.MultiplyAdd(dy[o], w[((nint)o * inFeatures) + k], sum);
                    }

                    dx[k] = accumulate ? dx[k] + sum : sum;
                }
            }
        }
    }

    /// <summary>dW (=, or with <paramref name="accumulate"/> +=) dy^T x: per weight, a sum over the rows.</summary>
    [HotPath]
    public static void WeightGrad(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, int rows, int inFeatures, int outFeatures, Span<float> weightGrad, bool accumulate)
    {
        int count = inFeatures * outFeatures;
        float* totals = stackalloc float[MaxWeight];
        new Span<float>(totals, count).Clear();
        fixed (float* dy0 = outputGrad, x0 = input)
        {
            int r = 0;
            if (Avx2.IsSupported && Fma.IsSupported && rows >= Lanes)
            {
                Vector256<float>* sums = stackalloc Vector256<float>[MaxWeight];
                Vector256<float>* xColumns = stackalloc Vector256<float>[MaxWeight];
                new Span<Vector256<float>>(sums, count).Clear();
                Vector256<int> xStarts = RowStarts(inFeatures), dyStarts = RowStarts(outFeatures);
                for (; r + Lanes <= rows; r += Lanes)
                {
                    float* x = x0 + ((nint)r * inFeatures), dy = dy0 + ((nint)r * outFeatures);
                    for (int k = 0; k < inFeatures; k++)
                    {
                        xColumns[k] = Avx2.GatherVector256(x + k, xStarts, 4);
                    }

                    for (int o = 0; o < outFeatures; o++)
                    {
                        Vector256<float> g = Avx2.GatherVector256(dy + o, dyStarts, 4);
                        Vector256<float>* row = sums + (o * inFeatures);
                        for (int k = 0; k < inFeatures; k++)
                        {
                            row[k] = Vector256.FusedMultiplyAdd(g, xColumns[k], row[k]);
                        }
                    }
                }

                for (int i = 0; i < count; i++)
                {
                    totals[i] = Vector256.Sum(sums[i]);
                }
            }

            for (; r < rows; r++)
            {
                float* dy = dy0 + ((nint)r * outFeatures), x = x0 + ((nint)r * inFeatures);
                for (int o = 0; o < outFeatures; o++)
                {
                    float g = dy[o];
                    float* row = totals + ((nint)o * inFeatures);
                    for (int k = 0; k < inFeatures; k++)
                    {
                        row[k] = HardwareFma.MultiplyAdd(g, x[k], row[k]);
                    }
                }
            }
        }

        var total = new ReadOnlySpan<float>(totals, count);
        if (accumulate)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(weightGrad, total, weightGrad);
        }
        else
        {
            total.CopyTo(weightGrad);
        }
    }

    /// <summary>Offsets (in floats) of eight consecutive rows of <paramref name="width"/> values.</summary>
    private static Vector256<int> RowStarts(int width) => Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * width;

    /// <summary>Writes (or adds) the eight rows held feature by feature in <paramref name="block"/> back row-major.</summary>
    private static void Scatter(float* block, float* rows, int width, bool add)
    {
        if (width == 1)
        {
            // One feature: the eight rows are eight consecutive values.
            Vector256<float> values = Vector256.Load(block);
            (add ? values + Vector256.Load(rows) : values).Store(rows);
            return;
        }

        if (add)
        {
            for (int lane = 0; lane < Lanes; lane++)
            {
                float* row = rows + ((nint)lane * width);
                for (int f = 0; f < width; f++)
                {
                    row[f] += block[(f * Lanes) + lane];
                }
            }

            return;
        }

        for (int lane = 0; lane < Lanes; lane++)
        {
            float* row = rows + ((nint)lane * width);
            for (int f = 0; f < width; f++)
            {
                row[f] = block[(f * Lanes) + lane];
            }
        }
    }
}
