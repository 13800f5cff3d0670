using FastLoss.Functional;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Rows of 1 to 16 classes run one masked vector per row. These cases place the logits, targets and gradient inside
/// larger arrays whose neighbouring floats are NaN (inputs) or a sentinel (gradient), so a lane read past a row's
/// classes would turn the loss to NaN and a lane written past them would change a sentinel. Batches of 1, 2, 3, 7
/// and 33 rows (the 16-row groups of logarithms, full and partial). Tolerances as <see cref="CrossEntropySweep"/>.
/// </summary>
public class SmallClassRowTests
{
    private const int Pad = 17;
    private const float Sentinel = 12345f;

    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        for (int classes = 1; classes <= 16; classes++)
        {
            foreach (int batch in new[] { 1, 2, 3, 7, 33 })
            {
                data.Add(batch, classes);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Index_targets_read_and_write_only_their_rows(int batch, int classes)
    {
        var random = new Random((batch * 31) + classes);
        float[] x = ClassificationData.Logits(random, batch * classes);
        long[] y = ClassificationData.IndexTargets(random, batch, classes);
        y[0] = -100; // one ignored row: its gradient row is cleared, nothing more
        float[] weight = ClassificationData.Weights(random, classes);
        var layout = new ClassLayout(batch, classes, 1);
        float[] paddedX = Padded(x, float.NaN);
        float[] paddedGrad = Padded(new float[x.Length], Sentinel);
        float[] paddedLoss = Padded(new float[batch], Sentinel);
        var options = new CrossEntropyOptions { Weight = weight, LabelSmoothing = 0.1f };

        CrossEntropy.ForwardBackwardNone(paddedX.AsSpan(Pad, x.Length), layout, y, paddedLoss.AsSpan(Pad, batch), paddedGrad.AsSpan(Pad, x.Length), options);

        double[] xd = ClassificationData.ToDouble(x);
        double[] wd = ClassificationData.ToDouble(weight);
        var (entries, _) = ClassificationReference.CrossEntropyIndex(xd, batch, classes, 1, y, wd, -100, Reduction.None, 0.1);
        double[] gradient = ClassificationReference.CrossEntropyIndexGradient(xd, batch, classes, 1, y, wd, -100, Reduction.None, 0.1, null);
        ClassificationData.AssertAllClose(entries, paddedLoss.AsSpan(Pad, batch), CrossEntropySweep.LossRtol, CrossEntropySweep.LossAtol, "loss");
        ClassificationData.AssertAllClose(gradient, paddedGrad.AsSpan(Pad, x.Length), CrossEntropySweep.GradRtol, 1e-6, "gradient");
        AssertUntouched(paddedGrad, x.Length);
        AssertUntouched(paddedLoss, batch);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Probability_targets_read_and_write_only_their_rows(int batch, int classes)
    {
        var random = new Random((batch * 37) + classes);
        float[] x = ClassificationData.Logits(random, batch * classes);
        float[] t = ClassificationData.Probabilities(random, batch, classes, 1);
        var layout = new ClassLayout(batch, classes, 1);
        float[] paddedX = Padded(x, float.NaN);
        float[] paddedT = Padded(t, float.NaN);
        float[] paddedGrad = Padded(new float[x.Length], Sentinel);

        float loss = CrossEntropy.ForwardBackward(paddedX.AsSpan(Pad, x.Length), layout, paddedT.AsSpan(Pad, t.Length), paddedGrad.AsSpan(Pad, x.Length));

        double[] xd = ClassificationData.ToDouble(x);
        double[] td = ClassificationData.ToDouble(t);
        var (_, reduced) = ClassificationReference.CrossEntropyProbabilities(xd, batch, classes, 1, td, null, Reduction.Mean, 0);
        double[] gradient = ClassificationReference.CrossEntropyProbabilitiesGradient(xd, batch, classes, 1, td, null, Reduction.Mean, 0, null);
        ClassificationData.AssertClose(reduced, loss, CrossEntropySweep.LossRtol, CrossEntropySweep.LossAtol, "loss");
        ClassificationData.AssertAllClose(gradient, paddedGrad.AsSpan(Pad, x.Length), CrossEntropySweep.GradRtol, 1e-6, "gradient");
        AssertUntouched(paddedGrad, x.Length);
    }

    private static float[] Padded(float[] values, float padding)
    {
        var padded = new float[values.Length + (2 * Pad)];
        Array.Fill(padded, padding);
        values.CopyTo(padded, Pad);
        return padded;
    }

    private static void AssertUntouched(float[] padded, int length)
    {
        for (int i = 0; i < Pad; i++)
        {
            Assert.Equal(Sentinel, padded[i]);
            Assert.Equal(Sentinel, padded[Pad + length + i]);
        }
    }
}
