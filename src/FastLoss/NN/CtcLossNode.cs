using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// One call of <see cref="CTCLoss"/>: its output, copies of the lengths and labels (so the caller may reuse its
/// tensors before backward), and the workspace holding the per-sequence losses and log-alpha rows that the
/// backward pass reads. Buffers grow to the largest call the plan has served and are reused after that.
/// </summary>
internal sealed class CtcLossNode : Node
{
    private Tensor? _logProbs;
    private int[] _inputLengths = [];
    private int[] _targetLengths = [];
    private long[] _labels = [];
    private float[] _workspace = [];
    private float[] _collected = [];
    private CtcLayout _layout;
    private int _batch;
    private int _labelCount;
    private int _paddedLength;
    private int _longest;

    /// <summary>The output: one loss per sequence for <see cref="Reduction.None"/> ((N), or () unbatched), else a 0-dim tensor.</summary>
    public Tensor Plan(Reduction reduction, bool batched, int batch)
    {
        if (!IsPlanned)
        {
            PlanOutput(reduction == Reduction.None && batched ? [batch] : []);
        }

        return Output;
    }

    /// <summary>Copies the call's lengths and labels; <paramref name="paddedLength"/> is -1 for concatenated labels.</summary>
    [HotPath]
    public void Keep(ReadOnlySpan<long> labels, int paddedLength, ReadOnlySpan<long> inputLengths, ReadOnlySpan<long> targetLengths)
    {
        Narrow(inputLengths, Grow(ref _inputLengths, inputLengths.Length));
        Narrow(targetLengths, Grow(ref _targetLengths, targetLengths.Length));
        KeepLabels(labels, paddedLength);
    }

    /// <summary>As <see cref="Keep(ReadOnlySpan{long}, int, ReadOnlySpan{long}, ReadOnlySpan{long})"/> for lengths given as ints.</summary>
    [HotPath]
    public void Keep(ReadOnlySpan<long> labels, int paddedLength, ReadOnlySpan<int> inputLengths, ReadOnlySpan<int> targetLengths)
    {
        inputLengths.CopyTo(Grow(ref _inputLengths, inputLengths.Length));
        targetLengths.CopyTo(Grow(ref _targetLengths, targetLengths.Length));
        KeepLabels(labels, paddedLength);
    }

    /// <summary>The kept targets (valid until the next <see cref="Keep(ReadOnlySpan{long}, int, ReadOnlySpan{int}, ReadOnlySpan{int})"/>).</summary>
    public CtcTargets Targets(int inputCount, int targetCount)
    {
        ReadOnlySpan<long> labels = _labels.AsSpan(0, _labelCount);
        ReadOnlySpan<int> inputLengths = _inputLengths.AsSpan(0, inputCount);
        ReadOnlySpan<int> targetLengths = _targetLengths.AsSpan(0, targetCount);
        return _paddedLength < 0
            ? CtcTargets.Concatenated(labels, inputLengths, targetLengths)
            : CtcTargets.Padded(labels, _paddedLength, inputLengths, targetLengths);
    }

    /// <summary>The workspace for targets of at most <paramref name="longest"/> labels.</summary>
    public Span<float> Workspace(CtcLayout layout, int longest) =>
        Grow(ref _workspace, CtcLoss.WorkspaceFor(layout, longest));

    /// <summary>Keeps what the backward pass needs; the losses and log-alpha rows are already in the workspace.</summary>
    [HotPath]
    public void Set(Tensor logProbs, CtcLayout layout, int longest)
    {
        _logProbs = logProbs;
        _layout = layout;
        _batch = layout.Batch;
        _longest = longest;
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        GradientTarget target = GradientTarget.For(_logProbs!);
        if (target.IsEmpty)
        {
            return;
        }

        var loss = (CTCLoss)Owner!;
        var options = new CtcOptions { Blank = loss.Blank, ZeroInfinity = loss.ZeroInfinity };
        CtcTargets targets = Targets(_batch, _batch);
        Span<float> workspace = _workspace.AsSpan(0, CtcLoss.WorkspaceFor(_layout, _longest));
        CtcLoss.SequenceUpstream(
            workspace[.._batch], targets.TargetLengths, options.ZeroInfinity, loss.Reduction, OutputGrad, workspace.Slice(_batch, _batch));
        Span<float> collected = target.Accumulate ? Grow(ref _collected, _layout.Length) : target.Span;
        CtcLoss.RunGradient(_logProbs!.Data, _layout, targets, _longest, options, workspace, collected, target.Span, target.Accumulate);
    }

    [HotPath]
    private void KeepLabels(ReadOnlySpan<long> labels, int paddedLength)
    {
        labels.CopyTo(Grow(ref _labels, labels.Length));
        _labelCount = labels.Length;
        _paddedLength = paddedLength;
    }

    /// <summary>Lengths as ints, saturated (anything beyond int's range is refused by the checks as torch refuses it).</summary>
    [HotPath]
    private static void Narrow(ReadOnlySpan<long> values, Span<int> destination)
    {
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = (int)Math.Clamp(values[i], int.MinValue, int.MaxValue);
        }
    }

    private static Span<T> Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }

        return buffer.AsSpan(0, length);
    }
}
