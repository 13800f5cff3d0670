using FastLoss.Functional.Classification;
using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// torch.nn.functional.ctc_loss over spans: the connectionist temporal classification loss of log-probabilities
/// laid out (T, N, C) (<see cref="CtcLayout"/>) against padded or concatenated targets (<see cref="CtcTargets"/>),
/// with torch's reductions: none (one loss per sequence), sum, and mean, the mean over the batch of
/// loss_n / max(target_length_n, 1). The gradient is torch's (see <see cref="CtcRecursion"/>): that of a loss of
/// log_softmax outputs with respect to the logits, which is what torch's ctc_loss backward returns for its
/// log_probs. The caller provides the workspace (<see cref="WorkspaceLength"/> floats); nothing is allocated.
/// </summary>
public static class CtcLoss
{
    /// <summary>The floats of workspace a call with these target lengths needs (negative lengths count as 0; they are refused by the call).</summary>
    public static int WorkspaceLength(CtcLayout layout, ReadOnlySpan<int> targetLengths)
    {
        int longest = 0;
        foreach (int length in targetLengths)
        {
            longest = Math.Max(longest, length);
        }

        return WorkspaceFor(layout, longest);
    }

    /// <summary>The loss reduced by <paramref name="reduction"/> (sum or mean; <see cref="ForwardNone"/> gives one per sequence).</summary>
    [HotPath]
    public static float Forward(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, Span<float> workspace, CtcOptions options = default,
        Reduction reduction = Reduction.Mean)
    {
        int longest = Prepare(logProbs, layout, targets, options, workspace, reduction, reduced: true);
        RunLosses(logProbs, layout, targets, longest, options.Blank, workspace);
        return Reduce(workspace[..layout.Batch], targets.TargetLengths, options.ZeroInfinity, reduction, []);
    }

    /// <summary>One loss per sequence into <paramref name="losses"/> (length N).</summary>
    [HotPath]
    public static void ForwardNone(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, Span<float> losses, Span<float> workspace, CtcOptions options = default)
    {
        int longest = Prepare(logProbs, layout, targets, options, workspace, Reduction.None, reduced: false);
        ClassLossArguments.RequireDisjoint(losses, workspace, nameof(losses), nameof(workspace));
        RequireLength(nameof(losses), layout.Batch, losses.Length);
        RunLosses(logProbs, layout, targets, longest, options.Blank, workspace);
        Reduce(workspace[..layout.Batch], targets.TargetLengths, options.ZeroInfinity, Reduction.None, losses);
    }

    /// <summary>The reduced loss, and its gradient with respect to <paramref name="logProbs"/> written into <paramref name="logProbsGrad"/>.</summary>
    [HotPath]
    public static float ForwardBackward(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, Span<float> logProbsGrad, Span<float> workspace,
        CtcOptions options = default, Reduction reduction = Reduction.Mean)
    {
        int longest = Prepare(logProbs, layout, targets, options, workspace, reduction, reduced: true);
        RequireGradient(logProbs, layout, logProbsGrad, workspace);
        RunLosses(logProbs, layout, targets, longest, options.Blank, workspace);
        ReadOnlySpan<float> nll = workspace[..layout.Batch];
        float loss = Reduce(nll, targets.TargetLengths, options.ZeroInfinity, reduction, []);
        Span<float> upstream = workspace.Slice(layout.Batch, layout.Batch);
        SequenceUpstream(nll, targets.TargetLengths, options.ZeroInfinity, reduction, [1f], upstream);
        RunGradient(logProbs, layout, targets, longest, options, workspace, logProbsGrad, logProbsGrad, accumulate: false);
        return loss;
    }

    /// <summary>
    /// One loss per sequence into <paramref name="losses"/>, and the gradient of sum(upstream[n] x loss[n]) into
    /// <paramref name="logProbsGrad"/> (torch's losses.backward(upstream)).
    /// </summary>
    [HotPath]
    public static void ForwardBackwardNone(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, Span<float> losses, ReadOnlySpan<float> upstream,
        Span<float> logProbsGrad, Span<float> workspace, CtcOptions options = default)
    {
        int longest = Prepare(logProbs, layout, targets, options, workspace, Reduction.None, reduced: false);
        RequireLength(nameof(losses), layout.Batch, losses.Length);
        RequireLength(nameof(upstream), layout.Batch, upstream.Length);
        RequireGradient(logProbs, layout, logProbsGrad, workspace);
        ClassLossArguments.RequireDisjoint(losses, workspace, nameof(losses), nameof(workspace));
        ClassLossArguments.RequireDisjoint(losses, logProbsGrad, nameof(losses), nameof(logProbsGrad));
        RunLosses(logProbs, layout, targets, longest, options.Blank, workspace);
        ReadOnlySpan<float> nll = workspace[..layout.Batch];
        SequenceUpstream(nll, targets.TargetLengths, options.ZeroInfinity, Reduction.None, upstream, workspace.Slice(layout.Batch, layout.Batch));
        RunGradient(logProbs, layout, targets, longest, options, workspace, logProbsGrad, logProbsGrad, accumulate: false);
        Reduce(nll, targets.TargetLengths, options.ZeroInfinity, Reduction.None, losses);
    }

    /// <summary>Floats of workspace for targets of at most <paramref name="longestTarget"/> labels: N losses, N upstream gradients, and each sequence's recursion.</summary>
    internal static int WorkspaceFor(CtcLayout layout, int longestTarget) =>
        checked(layout.Batch * (2 + CtcRecursion.SequenceWorkspace(layout.Time, longestTarget)));

    /// <summary>Every sequence's negative log-likelihood into workspace[0, N), its log-alpha into its part of the workspace.</summary>
    [HotPath]
    internal static void RunLosses(ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, int longest, int blank, Span<float> workspace) =>
        CtcBatchRun.Losses(logProbs, layout, targets, longest, blank, workspace);

    /// <summary>
    /// The gradient of every sequence, scaled by the upstream gradients in workspace[N, 2N), after
    /// <see cref="RunLosses"/> on the same workspace; <paramref name="collected"/> as in <see cref="CtcRecursion.Gradient"/>.
    /// </summary>
    [HotPath]
    internal static void RunGradient(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, int longest, CtcOptions options, Span<float> workspace,
        Span<float> collected, Span<float> destination, bool accumulate) =>
        CtcBatchRun.Gradient(logProbs, layout, targets, longest, options, workspace, collected, destination, accumulate);

    /// <summary>
    /// torch's reduction of the raw losses: zero_infinity replaces +inf by 0; mean is mean(loss_n / max(length_n, 1)),
    /// each quotient rounded to float as torch's division is, then summed in double. For none, writes the losses.
    /// </summary>
    [HotPath]
    internal static float Reduce(ReadOnlySpan<float> nll, ReadOnlySpan<int> targetLengths, bool zeroInfinity, Reduction reduction, Span<float> losses)
    {
        double total = 0;
        for (int n = 0; n < nll.Length; n++)
        {
            float loss = zeroInfinity && nll[n] == float.PositiveInfinity ? 0f : nll[n];
            if (reduction == Reduction.None)
            {
                losses[n] = loss;
            }
            else
            {
                total += reduction == Reduction.Mean ? loss / (float)Math.Max(targetLengths[n], 1) : loss;
            }
        }

        return reduction == Reduction.Mean ? (float)(total / nll.Length) : (float)total;
    }

    /// <summary>
    /// The gradient reaching each sequence's loss, as torch's autograd forms it: upstream[n] for none, the one
    /// upstream value for sum, (upstream / N) / max(length_n, 1) in float for mean; 0 where zero_infinity zeroed the loss.
    /// </summary>
    [HotPath]
    internal static void SequenceUpstream(
        ReadOnlySpan<float> nll, ReadOnlySpan<int> targetLengths, bool zeroInfinity, Reduction reduction, ReadOnlySpan<float> upstream,
        Span<float> perSequence)
    {
        for (int n = 0; n < nll.Length; n++)
        {
            float value = reduction switch
            {
                Reduction.None => upstream[n],
                Reduction.Sum => upstream[0],
                _ => upstream[0] / nll.Length / (float)Math.Max(targetLengths[n], 1),
            };
            perSequence[n] = zeroInfinity && nll[n] == float.PositiveInfinity ? 0f : value;
        }
    }

    [HotPath]
    private static int Prepare(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, CtcOptions options, Span<float> workspace, Reduction reduction, bool reduced)
    {
        ClassLossArguments.RequireReduction(reduction);
        if (reduced && reduction == Reduction.None)
        {
            throw new ArgumentException("Reduction.None gives one loss per sequence: call ForwardNone or ForwardBackwardNone.", nameof(reduction));
        }

        RequireLength(nameof(logProbs), layout.Length, logProbs.Length);
        int rows = targets.IsConcatenated ? 0 : PaddedRows(targets);
        int longest = CtcArguments.Check(layout, targets, options.Blank, rows);
        int needed = WorkspaceFor(layout, longest);
        if (workspace.Length < needed)
        {
            throw CtcErrors.WorkspaceTooShort(needed, workspace.Length);
        }

        ClassLossArguments.RequireDisjoint(workspace, logProbs, nameof(workspace), nameof(logProbs));
        return longest;
    }

    /// <summary>Padded labels must fill whole rows; their count is the rows torch compares with N.</summary>
    private static int PaddedRows(CtcTargets targets)
    {
        int length = targets.PaddedLength;
        if (length == 0)
        {
            return targets.Labels.IsEmpty ? targets.TargetLengths.Length : -1;
        }

        if (targets.Labels.Length % length != 0)
        {
            throw new ArgumentException("Padded targets must hold whole rows of PaddedLength labels.", nameof(targets));
        }

        return targets.Labels.Length / length;
    }

    private static void RequireGradient(ReadOnlySpan<float> logProbs, CtcLayout layout, Span<float> logProbsGrad, Span<float> workspace)
    {
        RequireLength(nameof(logProbsGrad), layout.Length, logProbsGrad.Length);
        ClassLossArguments.RequireDisjoint(logProbsGrad, logProbs, nameof(logProbsGrad), nameof(logProbs));
        ClassLossArguments.RequireDisjoint(logProbsGrad, workspace, nameof(logProbsGrad), nameof(workspace));
    }

    private static void RequireLength(string name, int expected, int actual)
    {
        if (actual != expected)
        {
            throw CtcErrors.SpanLength(name, expected, actual);
        }
    }
}
