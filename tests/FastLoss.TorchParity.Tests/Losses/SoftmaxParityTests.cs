using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// Softmax and LogSoftmax (span kernels and modules) against torch.nn.functional.softmax / log_softmax, forward and
/// the input gradient for a random upstream gradient, along every dimension.
/// </summary>
/// <remarks>
/// Tolerances, |FastLoss - torch| &lt;= relative * |torch| + absolute * scale: values relative 1e-5 (a few ulps of
/// exp, log and one division), absolute 1e-7 for softmax (outputs in [0, 1]) and 1e-6 for log-softmax (x - max is
/// up to 8 and the log of the sum rounds at ~1e-7); gradients relative 1e-5 and absolute 2e-6 times
/// |dy[c]| + p[c] * sum |dy| over the row, the size of the terms that cancel in dy - sum(dy * p) or dy - p * sum(dy).
/// </remarks>
[Collection(TorchOracle.Name)]
public sealed class SoftmaxParityTests
{
    private const double ValueRelative = 1e-5;
    private const double SoftmaxAbsolute = 1e-7;
    private const double LogSoftmaxAbsolute = 1e-6;
    private const double GradientRelative = 1e-5;
    private const double GradientAbsolute = 2e-6;

    [Theory]
    [MemberData(nameof(ClassificationParityCases.SoftmaxCases), MemberType = typeof(ClassificationParityCases))]
    public void Softmax_matches_torch(int[] shape, int dim) => Check(shape, dim, log: false);

    [Theory]
    [MemberData(nameof(ClassificationParityCases.SoftmaxCases), MemberType = typeof(ClassificationParityCases))]
    public void LogSoftmax_matches_torch(int[] shape, int dim) => Check(shape, dim, log: true);

    private static void Check(int[] shape, int dim, bool log)
    {
        var data = new ParityData(ClassificationParity.Seed(shape, dim, log ? 1 : 0));
        int length = TensorShape.ElementCount(shape);
        float[] x = data.ClassLogits(length, large: false);
        float[] upstream = data.Uniform(length, -2f, 2f);
        float[] earlier = data.Uniform(length, -1f, 1f);
        var (torchOutput, torchGrad) = TorchForwardBackward(shape, dim, log, x, upstream);

        var layout = ClassLayout.ForDim(shape, dim);
        double valueAbsolute = log ? LogSoftmaxAbsolute : SoftmaxAbsolute;
        float[] gradientScale = GradientScale(layout, torchOutput, upstream, log);
        string what = $"{(log ? "LogSoftmax" : "Softmax")}({TensorShape.FormatList(shape)}, dim {dim})";

        float[] output = Filled(length);
        float[] grad = Filled(length);
        if (log)
        {
            LogSoftmaxKernel.Forward(x, layout, output);
            LogSoftmaxKernel.Backward(output, upstream, layout, grad);
        }
        else
        {
            SoftmaxKernel.Forward(x, layout, output);
            SoftmaxKernel.Backward(output, upstream, layout, grad);
        }

        Closeness.AssertClose(torchOutput, output, ValueRelative, valueAbsolute, $"{what}: kernel forward");
        Closeness.AssertClose(torchGrad, grad, GradientRelative, GradientAbsolute, $"{what}: kernel backward", gradientScale);

        // accumulate: true adds to what the gradient held (one more rounding of the sum).
        float[] accumulated = (float[])earlier.Clone();
        if (log)
        {
            LogSoftmaxKernel.Backward(output, upstream, layout, accumulated, accumulate: true);
        }
        else
        {
            SoftmaxKernel.Backward(output, upstream, layout, accumulated, accumulate: true);
        }

        float[] expectedAccumulated = new float[length];
        float[] accumulatedScale = new float[length];
        for (int i = 0; i < length; i++)
        {
            expectedAccumulated[i] = earlier[i] + torchGrad[i];
            accumulatedScale[i] = gradientScale[i] + Math.Abs(earlier[i]);
        }

        Closeness.AssertClose(expectedAccumulated, accumulated, GradientRelative, GradientAbsolute, $"{what}: kernel backward, accumulating", accumulatedScale);

        GradMode.ReleaseThreadResults();
        var input = Tensor.FromValues(x, shape);
        input.RequiresGrad = true;
        Tensor moduleOutput = log ? new LogSoftmax(dim).Forward(input) : new Softmax(dim).Forward(input);
        Assert.Equal(shape, moduleOutput.Shape.ToArray());
        Closeness.AssertClose(torchOutput, moduleOutput.Span, ValueRelative, valueAbsolute, $"{what}: module forward");
        UpstreamGradient.Backward(moduleOutput, upstream);
        Assert.NotNull(input.Grad);
        Closeness.AssertClose(torchGrad, input.Grad.Span, GradientRelative, GradientAbsolute, $"{what}: module backward", gradientScale);
    }

    private static (float[] Output, float[] InputGrad) TorchForwardBackward(int[] shape, int dim, bool log, float[] x, float[] upstream)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor input = TorchConvert.ToTorch(x, shape, requiresGrad: true);
        torch.Tensor output = log ? torch.nn.functional.log_softmax(input, dim) : torch.nn.functional.softmax(input, dim);
        output.backward([TorchConvert.ToTorch(upstream, shape)]);
        torch.Tensor? grad = input.grad;
        Assert.NotNull(grad);
        return (TorchConvert.ToArray(output), TorchConvert.ToArray(grad));
    }

    /// <summary>|dy[c]| + p[c] * sum of |dy| over the element's row along the normalized dimension.</summary>
    private static float[] GradientScale(ClassLayout layout, float[] torchOutput, float[] upstream, bool log)
    {
        var scale = new float[layout.Length];
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i = 0; i < layout.Inner; i++)
            {
                int first = (b * layout.Classes * layout.Inner) + i;
                float rowSum = 0;
                for (int c = 0; c < layout.Classes; c++)
                {
                    rowSum += Math.Abs(upstream[first + (c * layout.Inner)]);
                }

                for (int c = 0; c < layout.Classes; c++)
                {
                    int at = first + (c * layout.Inner);
                    float p = log ? MathF.Exp(torchOutput[at]) : torchOutput[at];
                    scale[at] = Math.Abs(upstream[at]) + (p * rowSum);
                }
            }
        }

        return scale;
    }

    private static float[] Filled(int count)
    {
        var buffer = new float[count];
        Array.Fill(buffer, float.NaN);
        return buffer;
    }
}
