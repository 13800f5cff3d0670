using FastLoss.Generation;
using FastLoss.Threading;

namespace FastLoss.Kernels;

/// <summary>
/// The affine map of torch's Linear on row-major spans: y (rows x out) = x (rows x in) W^T + b, with W stored
/// out x in. The bias is per unit (out values), one value shared by every unit (a 0-dim bias), or absent.
/// Backward: dx = dy W, dW = dy^T x, db = column sums of dy (or their total for a shared bias).
/// </summary>
public static class LinearKernels
{
    /// <summary>Below one micro-kernel tile of rows, the forward pass takes dot products instead of the packed product.</summary>
    private const int DotProductRows = 8;

    /// <summary>From this many weights (256 KiB) the few-row forward splits its dot products over the pool.</summary>
    private const long ParallelDotProductWeight = 1 << 16;

    private static bool IsSmall(int inFeatures, int outFeatures) => (long)inFeatures * outFeatures <= SmallLinearKernels.MaxWeight;

    /// <summary>y = x W^T + b. <paramref name="bias"/> has outFeatures elements, 1 (shared), or none.</summary>
    [HotPath]
    public static unsafe void Forward(
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        int rows, int inFeatures, int outFeatures, Span<float> output)
    {
        Check(input.Length, weight.Length, output.Length, rows, inFeatures, outFeatures);
        CheckBias(bias.Length, outFeatures);
        if (bias.Length == 1 && outFeatures != 1)
        {
            output.Fill(bias[0]);
        }
        else if (!bias.IsEmpty)
        {
            for (int r = 0; r < rows; r++)
            {
                bias.CopyTo(output.Slice(r * outFeatures, outFeatures));
            }
        }

        if (IsSmall(inFeatures, outFeatures))
        {
            SmallLinearKernels.Forward(input, weight, !bias.IsEmpty, rows, inFeatures, outFeatures, output);
            return;
        }

        if (rows < DotProductRows)
        {
            // A few rows (inference on one sample, say): one dot product per output, reading each weight row once in
            // place. The product would first pack the whole transposed weight for a single row of output. A large
            // weight is shared out by output units, each thread reading only its own rows of W. The job is taken
            // whether or not the pool is free now, so a thread that finds it free only after warm-up allocates nothing.
            LinearDotProductJob? job = (long)inFeatures * outFeatures >= ParallelDotProductWeight
                ? LinearDotProductJob.Current
                : null;
            if (job is not null && ComputePool.CanRunInParallel)
            {
                fixed (float* x = input, w = weight, y = output)
                {
                    job.Set(x, w, y, rows, inFeatures, outFeatures, !bias.IsEmpty);
                    ComputePool.Run(job, ComputePool.ThreadCount);
                }
            }
            else
            {
                DotProducts(input, weight, !bias.IsEmpty, rows, inFeatures, outFeatures, output, 0, outFeatures);
            }

            return;
        }

        fixed (float* x = input, w = weight, y = output)
        {
            Gemm.Run(false, true, rows, outFeatures, inFeatures, 1f, x, inFeatures, w, inFeatures,
                bias.IsEmpty ? 0f : 1f, y, outFeatures);
        }
    }

    /// <summary>
    /// The outputs [<paramref name="firstUnit"/>, <paramref name="endUnit"/>) of every row as dot products of x's row
    /// with W's rows, added to the bias already in <paramref name="output"/> when <paramref name="hasBias"/>.
    /// </summary>
    [HotPath]
    internal static void DotProducts(
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, bool hasBias,
        int rows, int inFeatures, int outFeatures, Span<float> output, int firstUnit, int endUnit)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> x = input.Slice(r * inFeatures, inFeatures);
            Span<float> y = output.Slice(r * outFeatures, outFeatures);
            for (int o = firstUnit; o < endUnit; o++)
            {
                float dot = System.Numerics.Tensors.TensorPrimitives.Dot(x, weight.Slice(o * inFeatures, inFeatures));
                y[o] = hasBias ? y[o] + dot : dot;
            }
        }
    }

    /// <summary>dx += dy W.</summary>
    [HotPath]
    public static void AccumulateInputGrad(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weight, int rows, int inFeatures, int outFeatures, Span<float> inputGrad) =>
        InputGrad(outputGrad, weight, rows, inFeatures, outFeatures, inputGrad, accumulate: true);

    /// <summary>dx = dy W, or with <paramref name="accumulate"/> dx += dy W.</summary>
    [HotPath]
    public static unsafe void InputGrad(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> weight, int rows, int inFeatures, int outFeatures, Span<float> inputGrad, bool accumulate)
    {
        Check(inputGrad.Length, weight.Length, outputGrad.Length, rows, inFeatures, outFeatures);
        if (IsSmall(inFeatures, outFeatures))
        {
            SmallLinearKernels.InputGrad(outputGrad, weight, rows, inFeatures, outFeatures, inputGrad, accumulate);
            return;
        }

        fixed (float* dy = outputGrad, w = weight, dx = inputGrad)
        {
            Gemm.Run(false, false, rows, inFeatures, outFeatures, 1f, dy, outFeatures, w, inFeatures, accumulate ? 1f : 0f, dx, inFeatures);
        }
    }

    /// <summary>dW += dy^T x.</summary>
    [HotPath]
    public static void AccumulateWeightGrad(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, int rows, int inFeatures, int outFeatures, Span<float> weightGrad) =>
        WeightGrad(outputGrad, input, rows, inFeatures, outFeatures, weightGrad, accumulate: true);

    /// <summary>dW = dy^T x, or with <paramref name="accumulate"/> dW += dy^T x.</summary>
    [HotPath]
    public static unsafe void WeightGrad(
        ReadOnlySpan<float> outputGrad, ReadOnlySpan<float> input, int rows, int inFeatures, int outFeatures, Span<float> weightGrad, bool accumulate)
    {
        Check(input.Length, weightGrad.Length, outputGrad.Length, rows, inFeatures, outFeatures);
        if (IsSmall(inFeatures, outFeatures))
        {
            SmallLinearKernels.WeightGrad(outputGrad, input, rows, inFeatures, outFeatures, weightGrad, accumulate);
            return;
        }

        fixed (float* dy = outputGrad, x = input, dw = weightGrad)
        {
            Gemm.Run(true, false, outFeatures, inFeatures, rows, 1f, dy, outFeatures, x, inFeatures, accumulate ? 1f : 0f, dw, inFeatures);
        }
    }

    /// <summary>db = the column sums of dy (or with <paramref name="accumulate"/>, += them).</summary>
    [HotPath]
    public static void BiasGrad(ReadOnlySpan<float> outputGrad, int rows, int outFeatures, Span<float> biasGrad, bool accumulate)
    {
        if (!accumulate)
        {
            biasGrad.Clear();
        }

        AccumulateBiasGrad(outputGrad, rows, outFeatures, biasGrad);
    }

    /// <summary>db += the column sums of dy; a shared (1-element) bias gets the sum of all of dy.</summary>
    [HotPath]
    public static void AccumulateBiasGrad(ReadOnlySpan<float> outputGrad, int rows, int outFeatures, Span<float> biasGrad)
    {
        CheckBias(biasGrad.Length, outFeatures);
        if (outputGrad.Length != rows * outFeatures)
        {
            throw new ArgumentException($"Linear: the output gradient has {outputGrad.Length} elements, expected {rows}x{outFeatures}.", nameof(outputGrad));
        }

        if (biasGrad.Length == 1 && outFeatures != 1)
        {
            biasGrad[0] += System.Numerics.Tensors.TensorPrimitives.Sum(outputGrad);
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(biasGrad, outputGrad.Slice(r * outFeatures, outFeatures), biasGrad);
        }
    }

    private static void Check(int inputLength, int weightLength, int outputLength, int rows, int inFeatures, int outFeatures)
    {
        if (rows < 0 || inFeatures < 0 || outFeatures < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"Linear: negative size rows={rows}, in={inFeatures}, out={outFeatures}.");
        }

        if (inputLength != rows * inFeatures)
        {
            throw new ArgumentException($"Linear: the input has {inputLength} elements, expected {rows}x{inFeatures}.");
        }

        if (weightLength != outFeatures * inFeatures)
        {
            throw new ArgumentException($"Linear: the weight has {weightLength} elements, expected {outFeatures}x{inFeatures}.");
        }

        if (outputLength != rows * outFeatures)
        {
            throw new ArgumentException($"Linear: the output has {outputLength} elements, expected {rows}x{outFeatures}.");
        }
    }

    private static void CheckBias(int biasLength, int outFeatures)
    {
        if (biasLength != 0 && biasLength != 1 && biasLength != outFeatures)
        {
            throw new ArgumentException($"Linear: the bias has {biasLength} elements; expected {outFeatures}, 1 (shared) or none.");
        }
    }
}
