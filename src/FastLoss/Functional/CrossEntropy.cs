using System.Numerics.Tensors;
using FastLoss.Functional.Classification;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// torch's cross_entropy over spans: log_softmax over the class dimension and the negative log-likelihood in one
/// pass over the logits, for class-index targets (longs, one per entry) and class-probability targets (floats laid
/// out like the logits). The <see cref="ClassLayout"/> says where the class dimension is; (N, C, d1, ..., dk)
/// logits are read in place.
/// <para>
/// Per entry with logits x, p = softmax(x) and W = sum w: an index target y costs
/// <c>(1 - eps) * w[y] * -log p[y] + eps / C * sum_c w[c] * -log p[c]</c>, with gradient
/// <c>((1 - eps) w[y] + eps / C * W) * p - eps / C * w - (1 - eps) w[y] * onehot(y)</c>; entries whose target is the
/// ignore index cost 0 and have gradient 0. Probability targets t, with q = w * ((1 - eps) t + eps / C), cost
/// <c>-sum_c q[c] * log p[c]</c>, with gradient <c>sum q * p - q</c>. Mean divides by the sum of w[y] over the kept
/// index targets (their count without weights; NaN when every target is ignored), or by the number of entries for
/// probability targets.
/// </para>
/// <para>
/// As the elementwise losses: Forward and ForwardBackward return the reduced loss (Mean or Sum); the *None methods
/// work per entry (<see cref="ClassLayout.Entries"/> values). Gradients are written (=), not accumulated, and must
/// not overlap the inputs. Every argument and every target is checked before anything is written; nothing is allocated.
/// </para>
/// </summary>
public static class CrossEntropy
{
    /// <summary>The loss of class-index targets, reduced by <paramref name="reduction"/> (Mean or Sum).</summary>
    [HotPath]
    public static float Forward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        CheckIndex(logits, layout, targets, options);
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        return Run(logits, layout, targets, denominator, options, reduction, [], [], 1f, []);
    }

    /// <summary>The loss of each entry (reduction none), written to <paramref name="loss"/>.</summary>
    [HotPath]
    public static void ForwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> loss, CrossEntropyOptions options = default)
    {
        CheckIndex(logits, layout, targets, options);
        CheckEntryLosses(loss, logits, layout);
        SpanArguments.RequireDisjoint(loss, targets, "The loss", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, Reduction.None, loss, [], 1f, []);
    }

    /// <summary>
    /// d(reduced loss)/d(logits) times <paramref name="upstream"/>, written to <paramref name="logitsGrad"/>; with
    /// <see cref="Reduction.None"/>, every entry's upstream gradient is <paramref name="upstream"/>.
    /// </summary>
    [HotPath]
    public static void Backward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> logitsGrad, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean, float upstream = 1f)
    {
        SpanArguments.RequireReduction(reduction);
        CheckIndex(logits, layout, targets, options);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, reduction, [], logitsGrad, upstream, []);
    }

    /// <summary>For reduction none: <paramref name="upstream"/>[n] * d loss[n] / d logits, written to <paramref name="logitsGrad"/>.</summary>
    [HotPath]
    public static void BackwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, ReadOnlySpan<float> upstream, Span<float> logitsGrad, CrossEntropyOptions options = default)
    {
        CheckIndex(logits, layout, targets, options);
        SpanArguments.RequireLength(upstream.Length, layout.Entries, "The upstream gradient", layout);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(logitsGrad, upstream, "The gradient", "the upstream gradient");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, Reduction.None, [], logitsGrad, 1f, upstream);
    }

    /// <summary>The reduced loss and, in the same pass over the logits, its gradient (written to <paramref name="logitsGrad"/>).</summary>
    [HotPath]
    public static float ForwardBackward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> logitsGrad, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        CheckIndex(logits, layout, targets, options);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        return Run(logits, layout, targets, denominator, options, reduction, [], logitsGrad, 1f, []);
    }

    /// <summary>Each entry's loss and, in the same pass, each entry's gradient (upstream 1 per entry).</summary>
    [HotPath]
    public static void ForwardBackwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> loss, Span<float> logitsGrad, CrossEntropyOptions options = default)
    {
        CheckIndex(logits, layout, targets, options);
        CheckEntryLosses(loss, logits, layout);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(loss, targets, "The loss", "the targets");
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(logitsGrad, (ReadOnlySpan<float>)loss, "The gradient", "the loss");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, Reduction.None, loss, logitsGrad, 1f, []);
    }

    /// <summary>The loss of class-probability targets (laid out like the logits), reduced by <paramref name="reduction"/> (Mean or Sum).</summary>
    [HotPath]
    public static float Forward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        CheckProbabilities(logits, layout, targets, options);
        return Run(logits, layout, targets, options, reduction, [], [], 1f, []);
    }

    /// <summary>The loss of each entry of class-probability targets, written to <paramref name="loss"/>.</summary>
    [HotPath]
    public static void ForwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, Span<float> loss, CrossEntropyOptions options = default)
    {
        CheckProbabilities(logits, layout, targets, options);
        CheckEntryLosses(loss, logits, layout);
        SpanArguments.RequireDisjoint(loss, targets, "The loss", "the targets");
        Run(logits, layout, targets, options, Reduction.None, loss, [], 1f, []);
    }

    /// <summary>d(reduced loss)/d(logits) times <paramref name="upstream"/> for class-probability targets.</summary>
    [HotPath]
    public static void Backward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, Span<float> logitsGrad, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean, float upstream = 1f)
    {
        SpanArguments.RequireReduction(reduction);
        CheckProbabilities(logits, layout, targets, options);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        Run(logits, layout, targets, options, reduction, [], logitsGrad, upstream, []);
    }

    /// <summary>For reduction none with class-probability targets: <paramref name="upstream"/>[n] * d loss[n] / d logits.</summary>
    [HotPath]
    public static void BackwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, ReadOnlySpan<float> upstream, Span<float> logitsGrad, CrossEntropyOptions options = default)
    {
        CheckProbabilities(logits, layout, targets, options);
        SpanArguments.RequireLength(upstream.Length, layout.Entries, "The upstream gradient", layout);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(logitsGrad, upstream, "The gradient", "the upstream gradient");
        Run(logits, layout, targets, options, Reduction.None, [], logitsGrad, 1f, upstream);
    }

    /// <summary>The reduced loss of class-probability targets and, in the same pass, its gradient.</summary>
    [HotPath]
    public static float ForwardBackward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, Span<float> logitsGrad, CrossEntropyOptions options = default, Reduction reduction = Reduction.Mean)
    {
        ElementwiseArguments.RequireReduced(reduction);
        CheckProbabilities(logits, layout, targets, options);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        return Run(logits, layout, targets, options, reduction, [], logitsGrad, 1f, []);
    }

    /// <summary>Each entry's loss of class-probability targets and, in the same pass, each entry's gradient.</summary>
    [HotPath]
    public static void ForwardBackwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, Span<float> loss, Span<float> logitsGrad, CrossEntropyOptions options = default)
    {
        CheckProbabilities(logits, layout, targets, options);
        CheckEntryLosses(loss, logits, layout);
        CheckGradient(logitsGrad, logits, layout);
        SpanArguments.RequireDisjoint(loss, targets, "The loss", "the targets");
        SpanArguments.RequireDisjoint(logitsGrad, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(logitsGrad, (ReadOnlySpan<float>)loss, "The gradient", "the loss");
        Run(logits, layout, targets, options, Reduction.None, loss, logitsGrad, 1f, []);
    }

    /// <summary>
    /// The pass over checked index targets; <paramref name="denominator"/> is the mean's (from the target scan).
    /// Writes per-entry losses when <paramref name="entryLosses"/> is non-empty and the gradient when
    /// <paramref name="gradient"/> is; returns the reduced loss (the sum of the entries' losses for none).
    /// </summary>
    internal static float Run(
        ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, double denominator, CrossEntropyOptions options, Reduction reduction,
        Span<float> entryLosses, Span<float> gradient, float upstream, ReadOnlySpan<float> entryUpstream)
    {
        var pass = NewPass(layout, options, reduction, denominator, entryLosses, gradient, upstream, entryUpstream);
        double total = layout.Classes == 0 ? ClearEmptyClasses(ref pass)
            : layout.Inner == 1 ? CrossEntropyContiguous.IndexTargets(logits, layout.Batch, layout.Classes, targets, ref pass)
            : CrossEntropyStrided.IndexTargets(logits, layout, targets, ref pass);
        return Reduce(total, denominator, reduction);
    }

    /// <summary>The pass over probability targets; the mean divides by the number of entries (NaN, as torch, when there are no elements).</summary>
    internal static float Run(
        ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, CrossEntropyOptions options, Reduction reduction,
        Span<float> entryLosses, Span<float> gradient, float upstream, ReadOnlySpan<float> entryUpstream)
    {
        double denominator = layout.Length == 0 ? 0 : layout.Entries;
        var pass = NewPass(layout, options, reduction, denominator, entryLosses, gradient, upstream, entryUpstream);
        double total = layout.Classes == 0 ? ClearEmptyClasses(ref pass)
            : layout.Inner == 1 ? CrossEntropyContiguous.ProbabilityTargets(logits, layout.Batch, layout.Classes, targets, ref pass)
            : CrossEntropyStrided.ProbabilityTargets(logits, layout, targets, ref pass);
        return Reduce(total, denominator, reduction);
    }

    /// <summary>The checks of the options against the class count, in torch's words.</summary>
    internal static void CheckOptions(CrossEntropyOptions options, int classes, bool probabilityTargets)
    {
        SpanArguments.RequireLabelSmoothing(options.LabelSmoothing);
        SpanArguments.RequireWeight(options.Weight, classes, probabilityTargets);
        if (probabilityTargets && options.IgnoreIndex >= 0)
        {
            throw ClassLossErrors.IgnoreIndexWithProbabilities();
        }
    }

    private static CrossEntropyPass NewPass(
        ClassLayout layout, CrossEntropyOptions options, Reduction reduction, double denominator,
        Span<float> entryLosses, Span<float> gradient, float upstream, ReadOnlySpan<float> entryUpstream) =>
        new()
        {
            Weight = options.Weight,
            WeightTotal = options.Weight.IsEmpty ? layout.Classes : TensorPrimitives.Sum(options.Weight),
            Smoothing = options.LabelSmoothing,
            IgnoreIndex = options.IgnoreIndex,
            GradientScale = reduction == Reduction.Mean ? (float)(upstream / denominator) : upstream,
            EntryUpstream = entryUpstream,
            EntryLosses = entryLosses,
            Gradient = gradient,
        };

    /// <summary>With no classes every entry's loss is an empty sum.</summary>
    private static double ClearEmptyClasses(ref CrossEntropyPass pass)
    {
        pass.EntryLosses.Clear();
        return 0;
    }

    /// <summary>Mean over no kept targets is 0 / 0 = NaN, as in torch.</summary>
    private static float Reduce(double total, double denominator, Reduction reduction) =>
        (float)(reduction == Reduction.Mean ? total / denominator : total);

    private static void CheckIndex(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, CrossEntropyOptions options)
    {
        CheckOptions(options, layout.Classes, probabilityTargets: false);
        SpanArguments.RequireLength(logits.Length, layout.Length, "The logits", layout);
        SpanArguments.RequireLength(targets.Length, layout.Entries, "The targets", layout);
    }

    private static void CheckProbabilities(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, CrossEntropyOptions options)
    {
        CheckOptions(options, layout.Classes, probabilityTargets: true);
        SpanArguments.RequireLength(logits.Length, layout.Length, "The logits", layout);
        SpanArguments.RequireLength(targets.Length, layout.Length, "The probability targets", layout);
    }

    private static void CheckEntryLosses(Span<float> loss, ReadOnlySpan<float> logits, ClassLayout layout)
    {
        SpanArguments.RequireLength(loss.Length, layout.Entries, "The loss", layout);
        SpanArguments.RequireDisjoint(loss, logits, "The loss", "the logits");
    }

    private static void CheckGradient(Span<float> logitsGrad, ReadOnlySpan<float> logits, ClassLayout layout)
    {
        SpanArguments.RequireLength(logitsGrad.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(logitsGrad, logits, "The gradient", "the logits");
    }
}
