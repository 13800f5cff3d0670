namespace FastLoss.Tests.Ctc;

/// <summary>
/// Independent float64 CTC: by enumerating every path (tiny cases), and by the forward recursion in probability space
/// with the alphas rescaled at each step (Graves et al. 2006, eq. 6-9), which shares nothing with the log-space kernel.
/// Log-probabilities are laid out (T, N, C); a sequence's labels and lengths are given explicitly.
/// </summary>
internal static class CtcReference
{
    /// <summary>-log of the total probability of the paths of length <paramref name="inputLength"/> that collapse to <paramref name="labels"/>.</summary>
    public static double BruteForce(double[] logProbs, int batch, int classes, int sequence, long[] labels, int inputLength, int blank)
    {
        double total = 0;
        int[] path = new int[inputLength];
        long count = (long)Math.Pow(classes, inputLength);
        var collapsed = new List<long>();
        for (long index = 0; index < count; index++)
        {
            long rest = index;
            double logProbability = 0;
            for (int t = 0; t < inputLength; t++)
            {
                path[t] = (int)(rest % classes);
                rest /= classes;
                logProbability += logProbs[(((t * batch) + sequence) * classes) + path[t]];
            }

            collapsed.Clear();
            for (int t = 0; t < inputLength; t++)
            {
                if (path[t] != blank && (t == 0 || path[t] != path[t - 1]))
                {
                    collapsed.Add(path[t]);
                }
            }

            if (collapsed.SequenceEqual(labels))
            {
                total += Math.Exp(logProbability);
            }
        }

        return -Math.Log(total);
    }

    /// <summary>The same loss by the scaled forward recursion: +inf when no path fits.</summary>
    public static double Recursion(double[] logProbs, int batch, int classes, int sequence, long[] labels, int inputLength, int blank)
    {
        int states = (2 * labels.Length) + 1;
        if (inputLength == 0)
        {
            return labels.Length == 0 ? 0 : double.PositiveInfinity;
        }

        long Label(int s) => s % 2 == 0 ? blank : labels[s / 2];
        double Probability(int t, int s) => Math.Exp(logProbs[(((t * batch) + sequence) * classes) + Label(s)]);

        var alpha = new double[states];
        var next = new double[states];
        alpha[0] = Probability(0, 0);
        if (states > 1)
        {
            alpha[1] = Probability(0, 1);
        }

        double logScale = 0;
        for (int t = 1; t <= inputLength; t++)
        {
            double scale = alpha.Sum();
            if (scale == 0)
            {
                return double.PositiveInfinity;
            }

            logScale += Math.Log(scale);
            for (int s = 0; s < states; s++)
            {
                alpha[s] /= scale;
            }

            if (t == inputLength)
            {
                break;
            }

            for (int s = 0; s < states; s++)
            {
                double sum = alpha[s] + (s > 0 ? alpha[s - 1] : 0);
                if (s > 1 && s % 2 == 1 && Label(s) != Label(s - 2))
                {
                    sum += alpha[s - 2];
                }

                next[s] = sum * Probability(t, s);
            }

            (alpha, next) = (next, alpha);
        }

        double end = alpha[states - 1] + (states > 1 ? alpha[states - 2] : 0);
        return end == 0 ? double.PositiveInfinity : -(Math.Log(end) + logScale);
    }

    /// <summary>torch's reductions of per-sequence losses: zero_infinity, then none, sum, or mean of loss / max(length, 1).</summary>
    public static double[] Reduce(double[] losses, int[] targetLengths, bool zeroInfinity, Reduction reduction)
    {
        double[] kept = Array.ConvertAll(losses, loss => zeroInfinity && double.IsPositiveInfinity(loss) ? 0 : loss);
        return reduction switch
        {
            Reduction.None => kept,
            Reduction.Sum => [kept.Sum()],
            _ => [kept.Select((loss, n) => loss / Math.Max(targetLengths[n], 1)).Average()],
        };
    }

    /// <summary>log_softmax over the last dimension of rows of <paramref name="classes"/> values, in double.</summary>
    public static double[] LogSoftmax(double[] logits, int classes)
    {
        var result = new double[logits.Length];
        for (int start = 0; start < logits.Length; start += classes)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                max = Math.Max(max, logits[start + c]);
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(logits[start + c] - max);
            }

            double log = max + Math.Log(sum);
            for (int c = 0; c < classes; c++)
            {
                result[start + c] = logits[start + c] - log;
            }
        }

        return result;
    }
}
