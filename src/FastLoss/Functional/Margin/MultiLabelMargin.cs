using System.Globalization;
using FastLoss.Generation;

namespace FastLoss.Functional.Margin;

/// <summary>
/// MultiLabelMarginLoss over N rows of C classes, hand-written as torch's CPU kernel: each row's targets are class
/// indices up to the first -1; the row's loss is the sum over target classes j and non-target classes i of
/// max(0, 1 - (x[j] - x[i])), divided by C (a term counts where it is strictly positive).
/// </summary>
public static class MultiLabelMargin
{
    /// <summary>The loss reduced by <paramref name="reduction"/> (Sum or Mean over the rows).</summary>
    public static float Forward(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        Check(input, target, classes);
        int rows = classes == 0 ? 0 : input.Length / classes;
        return ElementwiseArguments.Reduce(Rows(input, target, classes, default, default, 0f, default), rows, reduction);
    }

    /// <summary>One loss per row, written to <paramref name="loss"/>.</summary>
    public static void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, Span<float> loss)
    {
        Check(input, target, classes);
        ElementwiseArguments.RequireSameLength(classes == 0 ? 0 : input.Length / classes, loss.Length, nameof(loss));
        Rows(input, target, classes, loss, default, 0f, default);
    }

    /// <summary>The reduced loss, with d(loss)/d(input) written to <paramref name="inputGrad"/> in the same pass.</summary>
    public static float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, Span<float> inputGrad, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        Check(input, target, classes);
        ElementwiseArguments.RequireSameLength(input.Length, inputGrad.Length, nameof(inputGrad));
        int rows = classes == 0 ? 0 : input.Length / classes;
        float scale = ElementwiseArguments.GradientScale(rows, reduction, 1f);
        return ElementwiseArguments.Reduce(Rows(input, target, classes, default, default, scale, inputGrad), rows, reduction);
    }

    /// <summary>For reduction none: each row's upstream gradient times d(row loss)/d(its inputs).</summary>
    public static void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, ReadOnlySpan<float> upstream, Span<float> inputGrad)
    {
        Check(input, target, classes);
        ElementwiseArguments.RequireSameLength(classes == 0 ? 0 : input.Length / classes, upstream.Length, nameof(upstream));
        ElementwiseArguments.RequireSameLength(input.Length, inputGrad.Length, nameof(inputGrad));
        Rows(input, target, classes, default, upstream, 1f, inputGrad);
    }

    /// <summary>
    /// The target has the input's shape and, as torch checks the whole target, every index is a class or -1 (the ones
    /// after a row's first -1 are ignored but must still be in range).
    /// </summary>
    internal static void Check(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes)
    {
        if (target.Length != input.Length || classes < 0 || (classes > 0 && input.Length % classes != 0))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"inconsistent target size: {target.Length} elements for an input of {input.Length}"), nameof(target));
        }

        foreach (long y in target)
        {
            if (y < -1 || y >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(target), string.Create(CultureInfo.InvariantCulture, $"argument #2 'target' is out of range: {y} is not a class index in [0, {classes}) or -1"));
            }
        }
    }

    /// <summary>The most classes whose target mask is kept on the stack.</summary>
    private const int MaskedClasses = 4096;

    /// <summary>Rows of more targets than this mark them in a mask; fewer are searched.</summary>
    private const int MaskFrom = 32;

    [HotPath]
    private static double Rows(ReadOnlySpan<float> input, ReadOnlySpan<long> target, int classes, Span<float> loss, ReadOnlySpan<float> upstream, float scale, Span<float> inputGrad)
    {
        int rows = classes == 0 ? 0 : input.Length / classes;

        // Which classes are a row's targets, as torch's is_target buffer: one pass over the targets per row instead of
        // a search of them per (target, class) pair, worth it for rows of many classes. A short row searches: one
        // vector compare, and measured at 10 classes a mask, even unused, made the loop twice as slow.
        Span<bool> isTarget = classes > MaskFrom && classes <= MaskedClasses ? stackalloc bool[classes] : default;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = input.Slice(r * classes, classes);
            ReadOnlySpan<long> labels = target.Slice(r * classes, classes);
            int count = labels.IndexOf(-1L);
            ReadOnlySpan<long> targets = labels[..(count < 0 ? classes : count)];
            Span<float> gradient = inputGrad.IsEmpty ? default : inputGrad.Slice(r * classes, classes);
            gradient.Clear();
            float step = (upstream.IsEmpty ? scale : upstream[r]) / classes;
            double sum;
            if (!isTarget.IsEmpty && targets.Length > MaskFrom)
            {
                isTarget.Clear();
                foreach (long label in targets)
                {
                    isTarget[(int)label] = true;
                }

                sum = RowHinges(row, targets, new MaskedTargets(isTarget), gradient, step);
            }
            else
            {
                sum = RowHinges(row, targets, new SearchedTargets(targets), gradient, step);
            }

            float value = (float)(sum / classes);
            total += value;
            if (!loss.IsEmpty)
            {
                loss[r] = value;
            }
        }

        return total;
    }

    /// <summary>
    /// One row's sum of hinges 1 - x[j] + x[i] over its targets j and the other classes i, in torch's order, adding
    /// each positive hinge's gradient (step to x[i], minus step to x[j]) where a gradient is given.
    /// </summary>
    private static double RowHinges<TTargets>(ReadOnlySpan<float> row, ReadOnlySpan<long> targets, TTargets isTarget, Span<float> gradient, float step)
        where TTargets : ITargetSet, allows ref struct
    {
        double sum = 0;
        foreach (long label in targets)
        {
            int j = (int)label;
            for (int i = 0; i < row.Length; i++)
            {
                if (isTarget.Contains(i))
                {
                    continue;
                }

                float z = 1f - row[j] + row[i];
                if (z > 0f)
                {
                    sum += z;
                    if (!gradient.IsEmpty)
                    {
                        gradient[i] += step;
                        gradient[j] -= step;
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>Whether a class is one of the row's targets; each form is compiled on its own, so the loop does not branch on which.</summary>
    private interface ITargetSet
    {
        bool Contains(int label);
    }

    private readonly ref struct SearchedTargets(ReadOnlySpan<long> targets) : ITargetSet
    {
        private readonly ReadOnlySpan<long> _targets = targets;

        public bool Contains(int label) => _targets.Contains((long)label);
    }

    private readonly ref struct MaskedTargets(ReadOnlySpan<bool> mask) : ITargetSet
    {
        private readonly ReadOnlySpan<bool> _mask = mask;

        public bool Contains(int label) => _mask[label];
    }
}
