using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.CTCLoss: the connectionist temporal classification loss of log-probabilities (a (T, N, C) tensor, or
/// (T, C) unbatched, normally log_softmax outputs) against label sequences, summed over every alignment. Targets are
/// an <see cref="IndexTensor"/>, padded (N, S) (or (1, S) unbatched) or 1-D with every sequence's labels
/// concatenated; the lengths are one value per sequence, as an <see cref="IndexTensor"/> (torch's tensors) or as
/// ints. Reductions: none ((N), or () unbatched), sum, and mean, the batch mean of loss_n / max(target_length_n, 1).
/// A target too long for its input gives an infinite loss (0 with zero_infinity). The gradient is torch's: that
/// of the logits behind a log_softmax (see <see cref="CtcLoss"/>). When the input requires grad, the call records
/// a node; its backward runs the beta recursion from the alphas the forward pass kept.
/// </summary>
public sealed class CTCLoss : Loss
{
    /// <param name="blank">The blank label's index, in [0, C) (checked at each call, as torch does).</param>
    /// <param name="reduction">None, Mean (the default) or Sum.</param>
    /// <param name="zeroInfinity">Whether infinite losses and their gradients become 0.</param>
    public CTCLoss(int blank = 0, Reduction reduction = Reduction.Mean, bool zeroInfinity = false)
        : base(reduction)
    {
        Blank = blank;
        ZeroInfinity = zeroInfinity;
    }

    public int Blank { get; }

    public bool ZeroInfinity { get; }

    /// <summary>The loss with lengths given as index tensors (any shape; one value per sequence), as torch's forward takes them.</summary>
    [HotPath]
    public Tensor Forward(Tensor logProbs, IndexTensor targets, IndexTensor inputLengths, IndexTensor targetLengths)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(inputLengths);
        ArgumentNullException.ThrowIfNull(targetLengths);
        using var call = OperationCall.Begin();
        CheckRanks(logProbs, targets);
        CtcLossNode node = call.Arena.Claim<CtcLossNode>(this, logProbs.Shape);
        node.Keep(targets.Span, PaddedLength(targets), inputLengths.Span, targetLengths.Span);
        return call.Return(Compute(call.Arena, node, logProbs, targets, inputLengths.Length, targetLengths.Length));
    }

    /// <summary>The loss with one input length and one target length per sequence.</summary>
    [HotPath]
    public Tensor Forward(Tensor logProbs, IndexTensor targets, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(targets);
        using var call = OperationCall.Begin();
        CheckRanks(logProbs, targets);
        CtcLossNode node = call.Arena.Claim<CtcLossNode>(this, logProbs.Shape);
        node.Keep(targets.Span, PaddedLength(targets), inputLengths, targetLengths);
        return call.Return(Compute(call.Arena, node, logProbs, targets, inputLengths.Length, targetLengths.Length));
    }

    /// <summary>CTCLoss needs the lengths: torch raises the same for <c>loss(log_probs, targets)</c>.</summary>
    private protected override Tensor Compute(GraphArena arena, Tensor input, Tensor target) => throw CtcErrors.MissingLengths();

    [HotPath]
    private Tensor Compute(GraphArena arena, CtcLossNode node, Tensor logProbs, IndexTensor targets, int inputCount, int targetCount)
    {
        bool batched = logProbs.Rank == 3;
        var layout = new CtcLayout(logProbs.Size(0), batched ? logProbs.Size(1) : 1, logProbs.Size(batched ? 2 : 1));
        CtcTargets kept = node.Targets(inputCount, targetCount);
        int rows = targets.Rank == 2 ? targets.Size(0) : 0;
        int longest = CtcArguments.Check(layout, kept, Blank, rows);

        Span<float> workspace = node.Workspace(layout, longest);
        CtcLoss.RunLosses(logProbs.Data, layout, kept, longest, Blank, workspace);
        Tensor output = node.Plan(Reduction, batched, layout.Batch);
        ReadOnlySpan<float> nll = workspace[..layout.Batch];
        if (Reduction == Reduction.None)
        {
            CtcLoss.Reduce(nll, kept.TargetLengths, ZeroInfinity, Reduction, output.Data);
        }
        else
        {
            output.Data[0] = CtcLoss.Reduce(nll, kept.TargetLengths, ZeroInfinity, Reduction, []);
        }

        if (arena.WantsGraph(logProbs))
        {
            node.Set(logProbs, layout, longest);
            arena.Record(node, logProbs);
        }

        return output;
    }

    [HotPath]
    private static void CheckRanks(Tensor logProbs, IndexTensor targets)
    {
        if (logProbs.Length == 0)
        {
            throw CtcErrors.EmptyLogProbs();
        }

        if (logProbs.Rank is not (2 or 3))
        {
            throw CtcErrors.LogProbsRank(logProbs.Rank);
        }

        if (targets.Rank is not (1 or 2))
        {
            throw CtcErrors.TargetsRank(targets.Rank);
        }
    }

    /// <summary>S for padded (N, S) targets; -1 for 1-D concatenated ones.</summary>
    private static int PaddedLength(IndexTensor targets) => targets.Rank == 2 ? targets.Size(1) : -1;
}
