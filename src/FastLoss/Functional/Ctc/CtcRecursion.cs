using System.Runtime.CompilerServices;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// The forward-backward recursion of one sequence, in log space and in float32, step for step as libtorch's CPU
/// kernel (aten/src/ATen/native/LossCTC.cpp) computes it, so losses and gradients match torch's to the last bits:
/// the same three-term log-sum-exp with the same maximum, the same order of the gradient's log-additions (s
/// descending), and the same final formula, grad = exp(lp) - exp(log(sum alpha beta) + nll - lp), which is the
/// gradient with respect to the logits of a log_softmax, not of the log-probabilities themselves.
/// <para>
/// Unlike torch, only the states that can be both reached from the start and finish in time are computed (those
/// outside this band are -inf in alpha or in beta, and adding -inf changes no log-sum): s &lt;= 2t + 1 and
/// s &gt;= 2L - 1 - 2(input_length - 1 - t). A NaN or +inf log-probability would spread through torch's states
/// outside the band, so a sequence with one runs the full recursion instead.
/// </para>
/// </summary>
internal static class CtcRecursion
{
    /// <summary>Floats of workspace per sequence: input-length rows of log-alpha and two rows of log-beta, 2L + 1 wide.</summary>
    public static int SequenceWorkspace(int time, int longestTarget) => checked((time + 2) * ((2 * longestTarget) + 1));

    /// <summary>The sequence's negative log-likelihood; leaves its log-alpha rows (input length x (2L + 1)) in <paramref name="logAlpha"/>.</summary>
    [HotPath]
    public static float NegativeLogLikelihood(
        ReadOnlySpan<float> logProbs, CtcLayout layout, int sequence, ReadOnlySpan<long> labels, int inputLength, int blank, Span<float> logAlpha)
    {
        int targetLength = labels.Length;
        if (inputLength == 0)
        {
            // torch: log-likelihood 0 for an empty target (so the loss is -0) and -inf otherwise.
            return targetLength == 0 ? -0f : float.PositiveInfinity;
        }

        int width = (2 * targetLength) + 1;
        int step = layout.Batch * layout.Classes;
        bool banded = IsBandSafe(logProbs, layout, sequence, inputLength);
        Span<float> alpha = logAlpha[..(inputLength * width)];
        alpha.Fill(float.NegativeInfinity);
        ReadOnlySpan<float> first = logProbs.Slice(sequence * layout.Classes, layout.Classes);
        alpha[0] = first[blank];
        if (targetLength > 0)
        {
            alpha[1] = first[(int)labels[0]];
        }

        for (int t = 1; t < inputLength; t++)
        {
            ReadOnlySpan<float> lp = logProbs.Slice((t * step) + (sequence * layout.Classes), layout.Classes);
            ReadOnlySpan<float> previous = alpha.Slice((t - 1) * width, width);
            Span<float> current = alpha.Slice(t * width, width);
            int low = banded ? Math.Max(0, (2 * targetLength) - 1 - (2 * (inputLength - 1 - t))) : 0;
            int high = banded ? Math.Min(2 * targetLength, (2 * t) + 1) : width - 1;
            for (int s = low; s <= high; s++)
            {
                bool isLabel = (s & 1) == 1;
                int label = isLabel ? (int)labels[s >> 1] : blank;
                float la1 = previous[s];
                float max = la1;
                float la2 = float.NegativeInfinity;
                float la3 = float.NegativeInfinity;
                if (s > 0)
                {
                    la2 = previous[s - 1];
                    if (la2 > max)
                    {
                        max = la2;
                    }
                }

                // A label may follow the previous label directly unless they are equal ("aa" needs a blank between).
                if (isLabel && s > 1 && labels[(s >> 1) - 1] != labels[s >> 1])
                {
                    la3 = previous[s - 2];
                    if (la3 > max)
                    {
                        max = la3;
                    }
                }

                if (max == float.NegativeInfinity)
                {
                    max = 0;
                }

                current[s] = MathF.Log(Term(la1, max) + Term(la2, max) + Term(la3, max)) + max + lp[label];
            }
        }

        ReadOnlySpan<float> last = alpha.Slice((inputLength - 1) * width, width);
        if (targetLength == 0)
        {
            return -last[0];
        }

        float l1 = last[2 * targetLength];
        float l2 = last[(2 * targetLength) - 1];
        float m = l1 < l2 ? l2 : l1;
        m = m == float.NegativeInfinity ? 0 : m;
        return -(MathF.Log(MathF.Exp(l1 - m) + MathF.Exp(l2 - m)) + m);
    }

    /// <summary>
    /// Writes (or adds, when <paramref name="accumulate"/>) the sequence's gradient, <paramref name="upstream"/> x
    /// d nll / d logProbs[t, sequence, :], into <paramref name="destination"/> (all T x N x C), from the log-alpha
    /// rows of <see cref="NegativeLogLikelihood"/>. <paramref name="collected"/> (T x N x C) receives the log-sums of
    /// alpha x beta per label; it may be <paramref name="destination"/> itself when not accumulating.
    /// </summary>
    [HotPath]
    public static void Gradient(
        ReadOnlySpan<float> logProbs, CtcLayout layout, int sequence, ReadOnlySpan<long> labels, int inputLength, int blank,
        float nll, bool zeroInfinity, float upstream, ReadOnlySpan<float> logAlpha, Span<float> logBeta,
        Span<float> collected, Span<float> destination, bool accumulate)
    {
        int classes = layout.Classes;
        int step = layout.Batch * classes;
        int offset = sequence * classes;
        if (zeroInfinity && nll == float.PositiveInfinity)
        {
            for (int t = 0; t < layout.Time; t++)
            {
                Write(destination.Slice((t * step) + offset, classes), 0f, accumulate);
            }

            return;
        }

        if (inputLength > 0)
        {
            Collect(logProbs, layout, sequence, labels, inputLength, blank, logAlpha, logBeta, collected);
        }

        for (int t = 0; t < inputLength; t++)
        {
            ReadOnlySpan<float> lp = logProbs.Slice((t * step) + offset, classes);
            ReadOnlySpan<float> sums = collected.Slice((t * step) + offset, classes);
            Span<float> row = destination.Slice((t * step) + offset, classes);
            for (int c = 0; c < classes; c++)
            {
                // A label no alignment passes through at t: exp(-inf + nll - lp) = 0 without the call (when nll and lp are not infinite).
                float occupancy = sums[c] == float.NegativeInfinity && float.IsFinite(nll) && lp[c] > float.NegativeInfinity
                    ? 0f
                    : MathF.Exp(sums[c] + nll - lp[c]);
                float value = (MathF.Exp(lp[c]) - occupancy) * upstream;
                row[c] = accumulate ? row[c] + value : value;
            }
        }

        for (int t = inputLength; t < layout.Time; t++)
        {
            Write(destination.Slice((t * step) + offset, classes), 0f, accumulate);
        }
    }

    /// <summary>The beta recursion, and for each time step and label the log of the sum of alpha x beta over the states of that label.</summary>
    [HotPath]
    private static void Collect(
        ReadOnlySpan<float> logProbs, CtcLayout layout, int sequence, ReadOnlySpan<long> labels, int inputLength, int blank,
        ReadOnlySpan<float> logAlpha, Span<float> logBeta, Span<float> collected)
    {
        int classes = layout.Classes;
        int step = layout.Batch * classes;
        int offset = sequence * classes;
        int targetLength = labels.Length;
        int width = (2 * targetLength) + 1;
        bool banded = IsBandSafe(logProbs, layout, sequence, inputLength);
        for (int t = 0; t < inputLength; t++)
        {
            collected.Slice((t * step) + offset, classes).Fill(float.NegativeInfinity);
        }

        // The last row of beta, where the first two entries are a blank and a label, so they are written, not log-added.
        int lastT = inputLength - 1;
        Span<float> next = logBeta.Slice((lastT & 1) * width, width);
        next.Fill(float.NegativeInfinity);
        ReadOnlySpan<float> lastLp = logProbs.Slice((lastT * step) + offset, classes);
        ReadOnlySpan<float> lastAlpha = logAlpha.Slice(lastT * width, width);
        Span<float> lastSums = collected.Slice((lastT * step) + offset, classes);
        next[2 * targetLength] = lastLp[blank];
        lastSums[blank] = lastAlpha[2 * targetLength] + next[2 * targetLength];
        if (targetLength > 0)
        {
            int label = (int)labels[targetLength - 1];
            next[(2 * targetLength) - 1] = lastLp[label];
            lastSums[label] = lastAlpha[(2 * targetLength) - 1] + next[(2 * targetLength) - 1];
        }

        for (int t = inputLength - 2; t >= 0; t--)
        {
            Span<float> current = logBeta.Slice((t & 1) * width, width);
            ReadOnlySpan<float> following = logBeta.Slice(((t + 1) & 1) * width, width);
            current.Fill(float.NegativeInfinity);
            ReadOnlySpan<float> lp = logProbs.Slice((t * step) + offset, classes);
            ReadOnlySpan<float> alpha = logAlpha.Slice(t * width, width);
            Span<float> sums = collected.Slice((t * step) + offset, classes);
            int low = banded ? Math.Max(0, (2 * targetLength) - 1 - (2 * (inputLength - 1 - t))) : 0;
            int high = banded ? Math.Min(2 * targetLength, (2 * t) + 1) : width - 1;
            for (int s = high; s >= low; s--)
            {
                bool isLabel = (s & 1) == 1;
                int label = isLabel ? (int)labels[s >> 1] : blank;
                float lb1 = following[s];
                float max = lb1;
                float lb2 = float.NegativeInfinity;
                float lb3 = float.NegativeInfinity;
                if (s < 2 * targetLength)
                {
                    lb2 = following[s + 1];
                    if (lb2 > max)
                    {
                        max = lb2;
                    }
                }

                if (isLabel && s < (2 * targetLength) - 1 && labels[(s >> 1) + 1] != labels[s >> 1])
                {
                    lb3 = following[s + 2];
                    if (lb3 > max)
                    {
                        max = lb3;
                    }
                }

                if (max == float.NegativeInfinity)
                {
                    max = 0;
                }

                float beta = MathF.Log(Term(lb1, max) + Term(lb2, max) + Term(lb3, max)) + max + lp[label];
                current[s] = beta;
                float alphaBeta = alpha[s] + beta;
                float sum = sums[label];
                if (sum == float.NegativeInfinity)
                {
                    sums[label] = alphaBeta;
                }
                else
                {
                    float larger = sum < alphaBeta ? alphaBeta : sum;
                    sums[label] = MathF.Log(Term(sum, larger) + Term(alphaBeta, larger)) + larger;
                }
            }
        }
    }

    /// <summary>
    /// exp(x - max) of a log-sum-exp term, without calling exp where its value is exact anyway: 0 for x = -inf (when
    /// max is NaN the sum is NaN through another term), 1 for the term that is the maximum (unless it is +inf, where
    /// torch gets exp(inf - inf) = NaN). Two of the three terms of most states are one of these.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Term(float x, float max) =>
        x == float.NegativeInfinity ? 0f : x == max && max < float.PositiveInfinity ? 1f : MathF.Exp(x - max);

    /// <summary>Whether the banded recursion gives torch's values: no NaN or +inf among the sequence's used log-probabilities.</summary>
    [HotPath]
    private static bool IsBandSafe(ReadOnlySpan<float> logProbs, CtcLayout layout, int sequence, int inputLength)
    {
        int classes = layout.Classes;
        int step = layout.Batch * classes;
        for (int t = 0; t < inputLength; t++)
        {
            foreach (float value in logProbs.Slice((t * step) + (sequence * classes), classes))
            {
                if (!(value < float.PositiveInfinity))
                {
                    return false;
                }
            }
        }

        return true;
    }

    [HotPath]
    private static void Write(Span<float> row, float value, bool accumulate)
    {
        for (int c = 0; c < row.Length; c++)
        {
            row[c] = accumulate ? row[c] + value : value;
        }
    }
}
