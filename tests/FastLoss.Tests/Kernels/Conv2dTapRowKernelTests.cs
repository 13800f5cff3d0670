using FastLoss.Kernels;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Kernels;

/// <summary>
/// The tap-row convolution kernels on single images against a float64 direct convolution, over geometries with
/// rectangular kernels, horizontal strides, every padding up to and past the kernel, and channel and pixel counts
/// that leave ragged register tiles; plus the tap rows themselves against im2col, value for value. Tolerance: the
/// rounding bound of a float32 sum of n products, (n + 5) * 2^-23 * (the sum of the products' magnitudes).
/// </summary>
public sealed unsafe class Conv2dTapRowKernelTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, int> Geometries => new()
    {
        // in, height, width, out, kernel h, kernel w, stride w, padding h, padding w (stride h is 1)
        { 1, 5, 5, 1, 1, 1, 1, 0, 0 },
        { 3, 32, 32, 32, 5, 5, 1, 2, 2 },
        { 32, 16, 16, 32, 5, 5, 1, 2, 2 },
        { 32, 8, 8, 64, 5, 5, 1, 2, 2 },
        { 8, 7, 9, 5, 3, 3, 1, 1, 1 },
        { 9, 6, 37, 17, 2, 3, 1, 0, 2 },
        { 16, 11, 13, 33, 3, 1, 2, 1, 0 },
        { 5, 4, 4, 7, 3, 3, 3, 2, 2 },
        { 4, 5, 6, 3, 2, 2, 1, 2, 2 },
        { 12, 3, 40, 9, 3, 5, 1, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void The_tap_rows_hold_every_im2col_row(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int strideWidth, int paddingHeight, int paddingWidth)
    {
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, kernelHeight, kernelWidth, 1, strideWidth, paddingHeight, paddingWidth);
        float[] image = TestData.Uniform(g.InputSize, 1);
        float[] columns = new float[g.ColumnsSize], padded = new float[Math.Max(1, g.PaddedInputSize)];
        Im2Col.Unfold(g, image, columns, padded);
        float[] scratch = new float[g.TapRowsScratchSize];
        int[] offsets = new int[g.PatchSize];
        TapRows.FillOffsets(g, offsets);
        fixed (float* x = image, planes = scratch)
        {
            TapRows.Build(g, x, planes, planes + g.TapRowsSize);
        }

        int pixels = g.OutputPixels;
        for (int row = 0; row < g.PatchSize; row++)
        {
            Assert.True(offsets[row] >= 0 && offsets[row] + pixels <= g.TapRowsSize, $"row {row} starts at {offsets[row]}, outside the {g.TapRowsSize} planes");
            Assert.True(
                columns.AsSpan(row * pixels, pixels).SequenceEqual(scratch.AsSpan(offsets[row], pixels)),
                $"im2col row {row} differs from its tap row");
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Forward_and_both_gradients_match_a_float64_direct_convolution(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int strideWidth, int paddingHeight, int paddingWidth) =>
        CheckAllPasses(inChannels, height, width, outChannels, kernelHeight, kernelWidth, strideWidth, paddingHeight, paddingWidth);

    /// <summary>The forward pass and both gradients of one geometry against <see cref="DirectConvolution"/>, with the tiling in force.</summary>
    internal static void CheckAllPasses(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int strideWidth, int paddingHeight, int paddingWidth)
    {
        var g = new Conv2dGeometry(inChannels, height, width, outChannels, kernelHeight, kernelWidth, 1, strideWidth, paddingHeight, paddingWidth);
        float[] image = TestData.Uniform(g.InputSize, 2), weight = TestData.Uniform(g.WeightSize, 3), bias = TestData.Uniform(outChannels, 4);
        float[] outputGrad = TestData.Uniform(g.OutputSize, 5);
        var reference = new DirectConvolution(g, image, weight);
        int[] offsets = new int[g.PatchSize];
        TapRows.FillOffsets(g, offsets);
        float[] scratch = new float[Math.Max(g.TapRowsScratchSize, g.HasTransposedConvolution ? g.Transposed.TapRowsScratchSize : 0)];
        float[] packedWeight = new float[GemmPacking.WholeASize(outChannels, g.PatchSize)];
        float[] output = new float[g.OutputSize];
        output.AsSpan().Fill(float.NaN);
        fixed (float* x = image, w = weight, y = output, planes = scratch, packed = packedWeight)
        fixed (int* table = offsets)
        {
            GemmPacking.PackWholeA(new GemmOperands(false, false, outChannels, 0, g.PatchSize, 1f, w, g.PatchSize, null, 1, false, null, 1), packed);
            Conv2dTapRowKernels.Forward(g, x, bias, planes, y, packed, table);
        }

        (double[] expectedOutput, double[] outputMagnitude) = reference.Forward(bias);
        AssertWithin(expectedOutput, outputMagnitude, output, g.PatchSize + 1, "output");

        (double[] expectedWeightGrad, double[] weightGradMagnitude) = reference.WeightGrad(outputGrad);
        float[] initialWeightGrad = TestData.Uniform(g.WeightSize, 6);
        foreach (bool transposed in new[] { false, true })
        {
            // The transposed form accumulates PatchSize x OutC; bring it back to OutC x PatchSize to compare.
            float[] weightGrad = transposed ? Transpose(initialWeightGrad, outChannels, g.PatchSize) : (float[])initialWeightGrad.Clone();
            fixed (float* x = image, dy = outputGrad, planes = scratch, dw = weightGrad)
            fixed (int* table = offsets)
            {
                Conv2dTapRowKernels.AccumulateWeightGrad(g, x, dy, planes, dw, table, transposed);
            }

            float[] result = transposed ? Transpose(weightGrad, g.PatchSize, outChannels) : weightGrad;
            AssertWithin(DirectConvolution.PlusInitial(expectedWeightGrad, initialWeightGrad), DirectConvolution.PlusInitial(weightGradMagnitude, initialWeightGrad, absolute: true), result, g.OutputPixels + 1, $"weight gradient (transposed: {transposed})");
        }

        Assert.Equal(
            paddingHeight < kernelHeight && paddingWidth < kernelWidth && strideWidth == 1,
            g.HasTransposedConvolution);
        if (!g.HasTransposedConvolution)
        {
            return;
        }

        Conv2dGeometry t = g.Transposed;
        Assert.Equal((outChannels, g.OutHeight, g.OutWidth, inChannels, height, width), (t.InChannels, t.InHeight, t.InWidth, t.OutChannels, t.OutHeight, t.OutWidth));
        float[] flipped = new float[g.WeightSize], packedFlipped = new float[GemmPacking.WholeASize(inChannels, t.PatchSize)];
        Conv2dTapRowKernels.FlipTranspose(g, weight, flipped);
        int[] transposedOffsets = new int[t.PatchSize];
        TapRows.FillOffsets(t, transposedOffsets);
        float[] initialInputGrad = TestData.Uniform(g.InputSize, 7);
        float[] inputGrad = (float[])initialInputGrad.Clone();
        fixed (float* f = flipped, packed = packedFlipped, dy = outputGrad, planes = scratch, dx = inputGrad)
        fixed (int* table = transposedOffsets)
        {
            GemmPacking.PackWholeA(new GemmOperands(false, false, inChannels, 0, t.PatchSize, 1f, f, t.PatchSize, null, 1, false, null, 1), packed);
            Conv2dTapRowKernels.AccumulateInputGrad(g, dy, planes, dx, packed, table);
        }

        (double[] expectedInputGrad, double[] inputGradMagnitude) = reference.InputGrad(outputGrad);
        AssertWithin(DirectConvolution.PlusInitial(expectedInputGrad, initialInputGrad), DirectConvolution.PlusInitial(inputGradMagnitude, initialInputGrad, absolute: true), inputGrad, t.PatchSize + 1, "input gradient");
    }

    private static void AssertWithin(double[] expected, double[] magnitude, float[] actual, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = ((terms + 5) * Math.Pow(2, -23) * magnitude[i]) + 1e-30;
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
            {
                Assert.Fail($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} within {bound:E2}");
            }
        }
    }

    private static float[] Transpose(float[] matrix, int rows, int columns)
    {
        var transposed = new float[matrix.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                transposed[(c * rows) + r] = matrix[(r * columns) + c];
            }
        }

        return transposed;
    }
}

/// <summary>
/// <see cref="Conv2dTapRowKernelTests"/>' passes with the Vector256 tiling, where nothing is read in place and the
/// tap rows reach the kernels through the packing.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class Conv2dTapRowNarrowTilingTests
{
    [Theory]
    [MemberData(nameof(Conv2dTapRowKernelTests.Geometries), MemberType = typeof(Conv2dTapRowKernelTests))]
    public void Forward_and_both_gradients_match_with_the_vector256_tiling(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int strideWidth, int paddingHeight, int paddingWidth)
    {
        GemmTiling.ForceNarrow = true;
        try
        {
            Conv2dTapRowKernelTests.CheckAllPasses(inChannels, height, width, outChannels, kernelHeight, kernelWidth, strideWidth, paddingHeight, paddingWidth);
        }
        finally
        {
            GemmTiling.ForceNarrow = false;
        }
    }
}
