using FastLoss.Functional;

namespace FastLoss.Tests.Ctc;

/// <summary>A seeded CTC problem: logits and their log_softmax (T, N, C), per-sequence labels (never the blank) and lengths.</summary>
internal sealed class CtcData
{
    public CtcData(int seed, int time, int batch, int classes, int maxTarget, int blank, bool repeats)
    {
        var random = new Random(seed);
        Layout = new CtcLayout(time, batch, classes);
        Blank = blank;
        Logits = new double[time * batch * classes];
        for (int i = 0; i < Logits.Length; i++)
        {
            Logits[i] = (random.NextDouble() * 4) - 2;
        }

        LogProbs = CtcReference.LogSoftmax(Logits, classes);
        LogProbsFloat = Array.ConvertAll(LogProbs, v => (float)v);
        InputLengths = new int[batch];
        Labels = new long[batch][];
        for (int n = 0; n < batch; n++)
        {
            InputLengths[n] = n == 0 ? time : 1 + random.Next(time);
            int length = random.Next(Math.Min(maxTarget, InputLengths[n]) + 1);
            Labels[n] = new long[length];
            for (int i = 0; i < length; i++)
            {
                long label = random.Next(classes - 1);
                label = label >= blank ? label + 1 : label;
                Labels[n][i] = repeats && i > 0 && random.Next(2) == 0 ? Labels[n][i - 1] : label;
            }

            // Keep every target feasible: each repeat needs a blank step between the two labels.
            while (Labels[n].Length + Repeats(Labels[n]) > InputLengths[n])
            {
                Labels[n] = Labels[n][..^1];
            }
        }

        TargetLengths = Array.ConvertAll(Labels, row => row.Length);
        MaxTarget = maxTarget;
        Padded = new long[batch * maxTarget];
        for (int n = 0; n < batch; n++)
        {
            Labels[n].CopyTo(Padded, n * maxTarget);
        }

        Concatenated = Labels.SelectMany(row => row).ToArray();
    }

    public CtcLayout Layout { get; }

    public int Blank { get; }

    public int MaxTarget { get; }

    public double[] Logits { get; }

    public double[] LogProbs { get; }

    public float[] LogProbsFloat { get; }

    public long[][] Labels { get; }

    public long[] Padded { get; }

    public long[] Concatenated { get; }

    public int[] InputLengths { get; }

    public int[] TargetLengths { get; }

    public CtcTargets Targets(bool concatenated) => concatenated
        ? CtcTargets.Concatenated(Concatenated, InputLengths, TargetLengths)
        : CtcTargets.Padded(Padded, MaxTarget, InputLengths, TargetLengths);

    private static int Repeats(long[] labels)
    {
        int repeats = 0;
        for (int i = 1; i < labels.Length; i++)
        {
            repeats += labels[i] == labels[i - 1] ? 1 : 0;
        }

        return repeats;
    }

    /// <summary>The float64 reference loss of every sequence for the given log-probabilities.</summary>
    public double[] ReferenceLosses(double[] logProbs)
    {
        var losses = new double[Layout.Batch];
        for (int n = 0; n < losses.Length; n++)
        {
            losses[n] = CtcReference.Recursion(logProbs, Layout.Batch, Layout.Classes, n, Labels[n], InputLengths[n], Blank);
        }

        return losses;
    }
}
