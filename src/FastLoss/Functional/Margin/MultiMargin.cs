using System.Globalization;
using FastLoss.Generation;

namespace FastLoss.Functional.Margin;

/// <summary>
/// MultiMarginLoss over N rows of C classes, hand-written (it gathers each row's target score, which the formula
/// language cannot express): per row, the sum over classes i other than the target y of
/// w[y] max(0, margin - x[y] + x[i])^p, divided by C, with p 1 or 2, as torch's CPU kernel computes it (a term
/// counts where it is strictly positive, so the boundary has gradient 0). Targets are class indices.
/// </summary>
public static class MultiMargin
{
    /// <summary>The loss reduced by <paramref name="reduction"/> (Sum or Mean over the rows).</summary>
    public static float Forward(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, Reduction reduction = Reduction.Mean, float p = 1f, float margin = 1f, ReadOnlySpan<float> weight = default)
    {
        ElementwiseArguments.RequireReduced(reduction);
        Check(input, target, classes, p, weight);
        double total = Rows(input, target, classes, p, margin, weight, default, default, 0f, default);
        return ElementwiseArguments.Reduce(total, target.Length, reduction);
    }

    /// <summary>One loss per row, written to <paramref name="loss"/>.</summary>
    public static void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, Span<float> loss, float p = 1f, float margin = 1f, ReadOnlySpan<float> weight = default)
    {
        Check(input, target, classes, p, weight);
        ElementwiseArguments.RequireSameLength(target.Length, loss.Length, nameof(loss));
        Rows(input, target, classes, p, margin, weight, loss, default, 0f, default);
    }

    /// <summary>The reduced loss, with d(loss)/d(input) written to <paramref name="inputGrad"/> in the same pass.</summary>
    public static float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, Span<float> inputGrad, Reduction reduction = Reduction.Mean, float p = 1f, float margin = 1f, ReadOnlySpan<float> weight = default)
    {
        ElementwiseArguments.RequireReduced(reduction);
        Check(input, target, classes, p, weight);
        ElementwiseArguments.RequireSameLength(input.Length, inputGrad.Length, nameof(inputGrad));
        float scale = ElementwiseArguments.GradientScale(target.Length, reduction, 1f);
        double total = Rows(input, target, classes, p, margin, weight, default, default, scale, inputGrad);
        return ElementwiseArguments.Reduce(total, target.Length, reduction);
    }

    /// <summary>For reduction none: each row's upstream gradient times d(row loss)/d(its inputs).</summary>
    public static void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, ReadOnlySpan<float> upstream, Span<float> inputGrad, float p = 1f, float margin = 1f, ReadOnlySpan<float> weight = default)
    {
        Check(input, target, classes, p, weight);
        ElementwiseArguments.RequireSameLength(target.Length, upstream.Length, nameof(upstream));
        ElementwiseArguments.RequireSameLength(input.Length, inputGrad.Length, nameof(inputGrad));
        Rows(input, target, classes, p, margin, weight, default, upstream, 1f, inputGrad);
    }

    /// <summary>torch's checks, in its words, before anything is written.</summary>
    internal static void Check(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, float p, ReadOnlySpan<float> weight)
    {
        if (p is not (1f or 2f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), "only p == 1 and p == 2 supported");
        }

        if (classes < 0 || input.Length != (long)target.Length * classes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"inconsistent target size, expected {(classes == 0 ? 0 : input.Length / classes)} but got [{target.Length}]"), nameof(target));
        }

        if (!weight.IsEmpty && weight.Length != classes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"inconsistent weight size, expected {classes} but got [{weight.Length}]"), nameof(weight));
        }

        foreach (long y in target)
        {
            if (y < 0 || y >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(target), string.Create(CultureInfo.InvariantCulture, $"target out of range (target {y}, classes {classes})"));
            }
        }
    }

    /// <summary>Over the rows: the sum of their losses; each row's loss and gradient where the spans are given.</summary>
    [HotPath]
    private static double Rows(
        ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, float p, float margin, ReadOnlySpan<float> weight,
        Span<float> loss, ReadOnlySpan<float> upstream, float scale, Span<float> inputGrad)
    {
        bool squared = p == 2f;
        double total = 0;
        for (int r = 0; r < target.Length; r++)
        {
            ReadOnlySpan<float> row = input.Slice(r * classes, classes);
            int y = (int)target[r];
            float targetScore = row[y];
            float w = weight.IsEmpty ? 1f : weight[y];
            // The classes before the target and after it, so the loops have no branch on the class; a hinge that is
            // not positive (a NaN score too, as in torch's kernel) adds 0.
            float offset = margin - targetScore;
            double sum = HingeSum(row[(y + 1)..], offset, w, squared, HingeSum(row[..y], offset, w, squared, 0));
            float value = (float)(sum / classes);
            total += value;
            if (!loss.IsEmpty)
            {
                loss[r] = value;
            }

            if (inputGrad.IsEmpty)
            {
                continue;
            }

            // d/dx[i] = p z^(p-1) w / C for each positive term, and the target's score takes minus their sum.
            Span<float> gradient = inputGrad.Slice(r * classes, classes);
            float factor = (upstream.IsEmpty ? scale : upstream[r]) * w / classes;
            float targetGradient = HingeGradients(row[..y], gradient[..y], offset, factor, squared, 0f);
            gradient[y] = HingeGradients(row[(y + 1)..], gradient[(y + 1)..], offset, factor, squared, targetGradient);
        }

        return total;
    }

    /// <summary><paramref name="sum"/> plus w z^p for each z = offset + score &gt; 0 over a run of classes other than the target.</summary>
    private static double HingeSum(ReadOnlySpan<float> scores, float offset, float w, bool squared, double sum)
    {
        foreach (float score in scores)
        {
            float z = offset + score;
            float term = (squared ? z * z : z) * w;
            sum += z > 0f ? term : 0f;
        }

        return sum;
    }

    /// <summary>
    /// Writes each class's d/dx = factor p z^(p-1) where z &gt; 0 over a run of classes other than the target, and
    /// returns <paramref name="targetGradient"/> minus their sum (the target's score takes minus every term's).
    /// </summary>
    private static float HingeGradients(ReadOnlySpan<float> scores, Span<float> gradient, float offset, float factor, bool squared, float targetGradient)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            float z = offset + scores[i];
            float g = z > 0f ? factor * (squared ? 2f * z : 1f) : 0f;
            gradient[i] = g;
            targetGradient -= g;
        }

        return targetGradient;
    }
}
