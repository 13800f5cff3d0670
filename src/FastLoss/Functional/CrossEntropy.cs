using System.Numerics.Tensors;
using FastLoss.Functional.Classification;

namespace FastLoss.Functional;

/// <summary>
/// torch's cross_entropy over spans: log_softmax over the class dimension and the negative log-likelihood in one
/// pass over the logits, for class-index targets (<see cref="ReadOnlySpan{T}"/> of long, one per entry) and
/// class-probability targets (floats laid out like the logits).
/// <para>
/// Per entry n with logits x, s = softmax(x), q = w * ((1 - eps) t + eps / C) (probability targets t) the loss is
/// <c>sum_c q_c * (max - x_c) + log(sum exp(x - max)) * sum_c q_c</c> and its gradient <c>sum q * s - q</c>; for an
/// index target y it is <c>(1 - eps) * w[y] * -log s[y] + eps / C * sum_c w[c] * -log s[c]</c> with gradient
/// <c>((1 - eps) w[y] + eps / C * W) * s - eps / C * w - (1 - eps) w[y] * onehot(y)</c>, W = sum w. Entries whose target
/// is the ignore index count 0 and have gradient 0. Mean divides by the sum of w[y] over the kept index targets
/// (their count without weights; NaN when every target is ignored) or by the number of entries for probability targets.
/// </para>
/// <para>
/// The output holds 1 value for <see cref="Reduction.Mean"/> and <see cref="Reduction.Sum"/>, or one per entry
/// (<see cref="ClassLayout.Entries"/>) for <see cref="Reduction.None"/>. Gradients are written (=), not accumulated,
/// and must not overlap the inputs. Every argument and every target is checked before anything is written.
/// Nothing is allocated.
/// </para>
/// </summary>
public static class CrossEntropy
{
    /// <summary>The loss of class-index targets into <paramref name="output"/>.</summary>
    public static void Forward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> output, CrossEntropyOptions options)
    {
        CheckIndex(logits, layout, targets, output.Length, options);
        SpanArguments.RequireDisjoint(output, logits, "The output", "the logits");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, output, [], 1f, []);
    }

    /// <summary>
    /// The gradient of <paramref name="upstream"/> x the loss with respect to the logits, written into
    /// <paramref name="gradLogits"/>; for <see cref="Reduction.None"/> every entry's upstream is <paramref name="upstream"/>.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, float upstream, Span<float> gradLogits, CrossEntropyOptions options)
    {
        CheckIndex(logits, layout, targets, options.Reduction == Reduction.None ? layout.Entries : 1, options);
        CheckGradient(gradLogits, logits, layout);
        SpanArguments.RequireDisjoint(gradLogits, targets, "The gradient", "the targets");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, [], gradLogits, upstream, []);
    }

    /// <summary>The gradient of an unreduced loss (<see cref="Reduction.None"/>) given the upstream gradient of each entry.</summary>
    public static void BackwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, ReadOnlySpan<float> upstream, Span<float> gradLogits, CrossEntropyOptions options)
    {
        RequireNone(options.Reduction);
        CheckIndex(logits, layout, targets, layout.Entries, options);
        SpanArguments.RequireLength(upstream.Length, layout.Entries, "The upstream gradient", layout);
        CheckGradient(gradLogits, logits, layout);
        SpanArguments.RequireDisjoint(gradLogits, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(gradLogits, upstream, "The gradient", "the upstream gradient");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, [], gradLogits, 1f, upstream);
    }

    /// <summary>
    /// The loss and, in the same pass, its gradient with respect to the logits (upstream 1; for
    /// <see cref="Reduction.None"/>, each entry's own gradient, i.e. upstream 1 per entry).
    /// </summary>
    public static void ForwardBackward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, Span<float> output, Span<float> gradLogits, CrossEntropyOptions options)
    {
        CheckIndex(logits, layout, targets, output.Length, options);
        CheckGradient(gradLogits, logits, layout);
        SpanArguments.RequireDisjoint(gradLogits, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(output, logits, "The output", "the logits");
        SpanArguments.RequireDisjoint(gradLogits, (ReadOnlySpan<float>)output, "The gradient", "the output");
        double denominator = ClassTargets.Scan(targets, layout.Classes, options.Weight, options.IgnoreIndex);
        Run(logits, layout, targets, denominator, options, output, gradLogits, 1f, []);
    }

    /// <summary>The loss of class-probability targets (laid out like the logits) into <paramref name="output"/>.</summary>
    public static void Forward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, Span<float> output, CrossEntropyOptions options)
    {
        CheckProbabilities(logits, layout, targets, output.Length, options);
        SpanArguments.RequireDisjoint(output, logits, "The output", "the logits");
        SpanArguments.RequireDisjoint(output, targets, "The output", "the targets");
        Run(logits, layout, targets, options, output, [], 1f, []);
    }

    /// <summary>The gradient of <paramref name="upstream"/> x the loss of class-probability targets with respect to the logits.</summary>
    public static void Backward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, float upstream, Span<float> gradLogits, CrossEntropyOptions options)
    {
        CheckProbabilities(logits, layout, targets, options.Reduction == Reduction.None ? layout.Entries : 1, options);
        CheckGradient(gradLogits, logits, layout);
        SpanArguments.RequireDisjoint(gradLogits, targets, "The gradient", "the targets");
        Run(logits, layout, targets, options, [], gradLogits, upstream, []);
    }

    /// <summary>The gradient of an unreduced loss of class-probability targets given the upstream gradient of each entry.</summary>
    public static void BackwardNone(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, ReadOnlySpan<float> upstream, Span<float> gradLogits, CrossEntropyOptions options)
    {
        RequireNone(options.Reduction);
        CheckProbabilities(logits, layout, targets, layout.Entries, options);
        SpanArguments.RequireLength(upstream.Length, layout.Entries, "The upstream gradient", layout);
        CheckGradient(gradLogits, logits, layout);
        SpanArguments.RequireDisjoint(gradLogits, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(gradLogits, upstream, "The gradient", "the upstream gradient");
        Run(logits, layout, targets, options, [], gradLogits, 1f, upstream);
    }

    /// <summary>The loss of class-probability targets and, in the same pass, its gradient with respect to the logits.</summary>
    public static void ForwardBackward(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, Span<float> output, Span<float> gradLogits, CrossEntropyOptions options)
    {
        CheckProbabilities(logits, layout, targets, output.Length, options);
        CheckGradient(gradLogits, logits, layout);
        SpanArguments.RequireDisjoint(gradLogits, targets, "The gradient", "the targets");
        SpanArguments.RequireDisjoint(output, logits, "The output", "the logits");
        SpanArguments.RequireDisjoint(output, targets, "The output", "the targets");
        SpanArguments.RequireDisjoint(gradLogits, (ReadOnlySpan<float>)output, "The gradient", "the output");
        Run(logits, layout, targets, options, output, gradLogits, 1f, []);
    }

    /// <summary>The pass over checked index targets; <paramref name="denominator"/> is the mean's (from the target scan).</summary>
    internal static void Run(
        ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, double denominator, CrossEntropyOptions options,
        Span<float> output, Span<float> gradient, float upstream, ReadOnlySpan<float> entryUpstream)
    {
        var pass = NewPass(layout, options, denominator, output, gradient, upstream, entryUpstream);
        double total = layout.Classes == 0 ? ClearEmptyClasses(ref pass)
            : layout.Inner == 1 ? CrossEntropyContiguous.IndexTargets(logits, layout.Batch, layout.Classes, targets, ref pass)
            : CrossEntropyStrided.IndexTargets(logits, layout, targets, ref pass);
        WriteReduced(output, options.Reduction, total, denominator);
    }

    /// <summary>The pass over probability targets; the mean divides by the number of entries.</summary>
    internal static void Run(
        ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, CrossEntropyOptions options,
        Span<float> output, Span<float> gradient, float upstream, ReadOnlySpan<float> entryUpstream)
    {
        double denominator = layout.Entries;
        var pass = NewPass(layout, options, denominator, output, gradient, upstream, entryUpstream);
        double total = layout.Classes == 0 ? ClearEmptyClasses(ref pass)
            : layout.Inner == 1 ? CrossEntropyContiguous.ProbabilityTargets(logits, layout.Batch, layout.Classes, targets, ref pass)
            : CrossEntropyStrided.ProbabilityTargets(logits, layout, targets, ref pass);
        WriteReduced(output, options.Reduction, total, denominator);
    }

    internal static void CheckOptions(CrossEntropyOptions options, int classes, bool probabilityTargets)
    {
        SpanArguments.RequireReduction(options.Reduction);
        SpanArguments.RequireLabelSmoothing(options.LabelSmoothing);
        SpanArguments.RequireWeight(options.Weight, classes, probabilityTargets);
        if (probabilityTargets && options.IgnoreIndex >= 0)
        {
            throw ClassLossErrors.IgnoreIndexWithProbabilities();
        }
    }

    private static CrossEntropyPass NewPass(
        ClassLayout layout, CrossEntropyOptions options, double denominator,
        Span<float> output, Span<float> gradient, float upstream, ReadOnlySpan<float> entryUpstream) =>
        new()
        {
            Weight = options.Weight,
            WeightTotal = options.Weight.IsEmpty ? layout.Classes : TensorPrimitives.Sum(options.Weight),
            Smoothing = options.LabelSmoothing,
            IgnoreIndex = options.IgnoreIndex,
            GradientScale = options.Reduction == Reduction.Mean ? (float)(upstream / denominator) : upstream,
            EntryUpstream = entryUpstream,
            EntryLosses = options.Reduction == Reduction.None ? output : [],
            Gradient = gradient,
        };

    /// <summary>With no classes every entry's loss is an empty sum.</summary>
    private static double ClearEmptyClasses(ref CrossEntropyPass pass)
    {
        pass.EntryLosses.Clear();
        return 0;
    }

    private static void WriteReduced(Span<float> output, Reduction reduction, double total, double denominator)
    {
        if (reduction != Reduction.None && !output.IsEmpty)
        {
            // Mean over no kept targets is 0 / 0 = NaN, as in torch.
            output[0] = (float)(reduction == Reduction.Mean ? total / denominator : total);
        }
    }

    private static void CheckIndex(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<long> targets, int outputLength, CrossEntropyOptions options)
    {
        CheckOptions(options, layout.Classes, probabilityTargets: false);
        SpanArguments.RequireLength(logits.Length, layout.Length, "The logits", layout);
        SpanArguments.RequireLength(targets.Length, layout.Entries, "The targets", layout);
        SpanArguments.RequireOutput(outputLength, options.Reduction, layout);
    }

    private static void CheckProbabilities(ReadOnlySpan<float> logits, ClassLayout layout, ReadOnlySpan<float> targets, int outputLength, CrossEntropyOptions options)
    {
        CheckOptions(options, layout.Classes, probabilityTargets: true);
        SpanArguments.RequireLength(logits.Length, layout.Length, "The logits", layout);
        SpanArguments.RequireLength(targets.Length, layout.Length, "The probability targets", layout);
        SpanArguments.RequireOutput(outputLength, options.Reduction, layout);
    }

    private static void CheckGradient(Span<float> gradLogits, ReadOnlySpan<float> logits, ClassLayout layout)
    {
        SpanArguments.RequireLength(gradLogits.Length, layout.Length, "The gradient", layout);
        SpanArguments.RequireDisjoint(gradLogits, logits, "The gradient", "the logits");
    }

    private static void RequireNone(Reduction reduction)
    {
        if (reduction != Reduction.None)
        {
            throw new ArgumentException(
                $"BackwardNone takes one upstream gradient per entry of an unreduced loss, but the options ask for Reduction.{reduction}; use Backward.");
        }
    }
}
