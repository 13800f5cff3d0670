using FastLoss.Functional;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Span-level softmax and log-softmax against the float64 reference, over every row length 1..300 (contiguous)
/// and inner sizes 1..40 and 63..65 (strided), forward and backward, written and accumulated.
/// Tolerances: softmax 1e-5 relative + 1e-7 absolute; log-softmax 1e-5 relative + 2e-6 absolute (|y| up to ~20);
/// backward 1e-4 relative + 1e-5 x the largest reference value + 2e-6 x the largest upstream value (the backward
/// subtracts sum(dy * y) from dy, which cancels in float32 as it does in torch when one class holds nearly all the mass).
/// </summary>
public class SoftmaxReferenceTests
{
    [Fact]
    public void Contiguous_rows_of_every_length_match_the_reference()
    {
        for (int classes = 1; classes <= 300; classes++)
        {
            Check(new ClassLayout(3, classes, 1), seed: classes);
        }

        Check(new ClassLayout(2, 4096, 1), seed: 4096);
    }

    [Fact]
    public void Strided_dimensions_of_every_inner_size_match_the_reference()
    {
        foreach (int inner in Enumerable.Range(1, 40).Concat([63, 64, 65]))
        {
            foreach (int classes in new[] { 1, 2, 5, 17 })
            {
                Check(new ClassLayout(2, classes, inner), seed: (inner * 100) + classes);
            }
        }
    }

    [Fact]
    public void Huge_inputs_stay_finite()
    {
        float[] x = [1e4f, -1e4f, 0f, 1e4f, 5f, -3e3f];
        var layout = new ClassLayout(2, 3, 1);
        var y = new float[6];
        var log = new float[6];
        SoftmaxKernel.Forward(x, layout, y);
        LogSoftmaxKernel.Forward(x, layout, log);
        ClassificationData.AssertAllClose([1, 0, 0, 1, 0, 0], y, 0, 1e-7, "softmax");
        ClassificationData.AssertAllClose([0, -2e4, -1e4, 0, -9995, -1.3e4], log, 1e-7, 1e-6, "log-softmax");
    }

    [Fact]
    public void Softmax_over_a_0_dim_or_size_1_dimension_is_one()
    {
        var y = new float[1];
        SoftmaxKernel.Forward([3.5f], ClassLayout.ForDim([], 0), y);
        Assert.Equal(1f, y[0]);
        LogSoftmaxKernel.Forward([3.5f], ClassLayout.ForDim([1], -1), y);
        Assert.Equal(0f, y[0]);
    }

    private static void Check(ClassLayout layout, int seed)
    {
        var random = new Random(seed);
        float[] x = ClassificationData.Logits(random, layout.Length, spread: 8f);
        double[] xd = ClassificationData.ToDouble(x);
        float[] dy = ClassificationData.Logits(random, layout.Length, spread: 1f);
        double[] dyd = ClassificationData.ToDouble(dy);
        string what = layout.ToString();

        var y = new float[layout.Length];
        SoftmaxKernel.Forward(x, layout, y);
        double[] expectedY = ClassificationReference.Softmax(xd, layout.Batch, layout.Classes, layout.Inner);
        ClassificationData.AssertAllClose(expectedY, y, 1e-5, 1e-7, what + " softmax");

        var logY = new float[layout.Length];
        LogSoftmaxKernel.Forward(x, layout, logY);
        double[] expectedLog = ClassificationReference.LogSoftmax(xd, layout.Batch, layout.Classes, layout.Inner);
        ClassificationData.AssertAllClose(expectedLog, logY, 1e-5, 2e-6, what + " log-softmax");

        // Backward from the float outputs, as autograd does.
        double[] softGrad = ClassificationReference.SoftmaxBackward(ClassificationData.ToDouble(y), dyd, layout.Batch, layout.Classes, layout.Inner);
        double[] logGrad = ClassificationReference.LogSoftmaxBackward(ClassificationData.ToDouble(logY), dyd, layout.Batch, layout.Classes, layout.Inner);
        double upstreamScale = ClassificationData.MaxAbs(dyd);
        CheckBackward(softGrad, upstreamScale, (dx, accumulate) => SoftmaxKernel.Backward(y, dy, layout, dx, accumulate), random, what + " softmax backward");
        CheckBackward(logGrad, upstreamScale, (dx, accumulate) => LogSoftmaxKernel.Backward(logY, dy, layout, dx, accumulate), random, what + " log-softmax backward");
    }

    private static void CheckBackward(double[] expected, double upstreamScale, Action<float[], bool> backward, Random random, string what)
    {
        double atol = (1e-5 * ClassificationData.MaxAbs(expected)) + (2e-6 * upstreamScale);
        var dx = new float[expected.Length];
        Array.Fill(dx, float.NaN);
        backward(dx, false);
        ClassificationData.AssertAllClose(expected, dx, 1e-4, atol, what);

        // Accumulating adds exactly once to every element, including those under the overlapping last vector.
        float[] start = ClassificationData.Logits(random, expected.Length, spread: 1f);
        var accumulated = (float[])start.Clone();
        backward(accumulated, true);
        var expectedSum = new double[expected.Length];
        for (int k = 0; k < expected.Length; k++)
        {
            expectedSum[k] = expected[k] + start[k];
        }

        ClassificationData.AssertAllClose(expectedSum, accumulated, 1e-4, atol + 1e-6, what + " accumulated");
    }
}
