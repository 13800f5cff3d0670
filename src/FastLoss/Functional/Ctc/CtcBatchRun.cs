using FastLoss.Generation;
using FastLoss.Threading;

namespace FastLoss.Functional;

/// <summary>
/// Runs the sequences of a CTC call on the compute pool's threads, one sequence per part: sequences share nothing
/// (each has its own rows of the workspace and of the gradient), so the results are the same on any number of
/// threads. The spans are pinned for the call and passed to the parts as pointers; the job object is made once per
/// thread and kept, so a call allocates nothing once the thread's first call has sized its table of label offsets.
/// </summary>
internal sealed unsafe class CtcBatchRun : IParallelWork
{
    /// <summary>Below this many alpha states in all (about 50 us of work) the call runs on its own thread: handing out parts costs more.</summary>
    private const long MinimumStates = 8192;

    [ThreadStatic]
    private static CtcBatchRun? t_job;

    private int[] _offsets = [];
    private float* _logProbs;
    private long* _labels;
    private int* _inputLengths;
    private int* _targetLengths;
    private float* _workspace;
    private float* _collected;
    private float* _destination;
    private int _workspaceLength;
    private CtcLayout _layout;
    private int _longest;
    private int _blank;
    private bool _zeroInfinity;
    private bool _gradient;
    private bool _accumulate;

    /// <summary>Every sequence's negative log-likelihood into workspace[0, N) and its log-alpha rows into its part of the workspace.</summary>
    [HotPath]
    public static void Losses(ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, int longest, int blank, Span<float> workspace) =>
        Run(logProbs, layout, targets, longest, blank, false, workspace, default, default, gradient: false, accumulate: false);

    /// <summary>Every sequence's gradient, scaled by the upstream gradients in workspace[N, 2N), after <see cref="Losses"/>.</summary>
    [HotPath]
    public static void Gradient(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, int longest, CtcOptions options, Span<float> workspace,
        Span<float> collected, Span<float> destination, bool accumulate) =>
        Run(logProbs, layout, targets, longest, options.Blank, options.ZeroInfinity, workspace, collected, destination, gradient: true, accumulate);

    /// <summary>Runs sequence <paramref name="part"/> (there are as many parts as sequences).</summary>
    [HotPath]
    public void Execute(int part, int partCount)
    {
        int n = part;
        int perSequence = CtcRecursion.SequenceWorkspace(_layout.Time, _longest);
        var logProbs = new ReadOnlySpan<float>(_logProbs, _layout.Length);
        var labels = new ReadOnlySpan<long>(_labels + _offsets[n], _targetLengths[n]);
        var workspace = new Span<float>(_workspace, _workspaceLength);
        Span<float> sequence = workspace.Slice((2 * _layout.Batch) + (n * perSequence), perSequence);
        if (!_gradient)
        {
            workspace[n] = CtcRecursion.NegativeLogLikelihood(logProbs, _layout, n, labels, _inputLengths[n], _blank, sequence);
            return;
        }

        int betaStart = _layout.Time * ((2 * _longest) + 1);
        CtcRecursion.Gradient(
            logProbs, _layout, n, labels, _inputLengths[n], _blank, workspace[n], _zeroInfinity, workspace[_layout.Batch + n],
            sequence[..betaStart], sequence[betaStart..], new Span<float>(_collected, _layout.Length), new Span<float>(_destination, _layout.Length),
            _accumulate);
    }

    [HotPath]
    private static void Run(
        ReadOnlySpan<float> logProbs, CtcLayout layout, CtcTargets targets, int longest, int blank, bool zeroInfinity, Span<float> workspace,
        Span<float> collected, Span<float> destination, bool gradient, bool accumulate)
    {
        CtcBatchRun job = t_job ?? Create();
        long states = job.Plan(layout, targets);
        fixed (float* logProbsPointer = logProbs)
        fixed (long* labels = targets.Labels)
        fixed (int* inputLengths = targets.InputLengths)
        fixed (int* targetLengths = targets.TargetLengths)
        fixed (float* workspacePointer = workspace)
        fixed (float* collectedPointer = collected)
        fixed (float* destinationPointer = destination)
        {
            job._logProbs = logProbsPointer;
            job._labels = labels;
            job._inputLengths = inputLengths;
            job._targetLengths = targetLengths;
            job._workspace = workspacePointer;
            job._workspaceLength = workspace.Length;
            job._collected = collectedPointer;
            job._destination = destinationPointer;
            job._layout = layout;
            job._longest = longest;
            job._blank = blank;
            job._zeroInfinity = zeroInfinity;
            job._gradient = gradient;
            job._accumulate = accumulate;
            try
            {
                if (states >= MinimumStates && layout.Batch > 1 && ComputePool.CanRunInParallel)
                {
                    ComputePool.Run(job, layout.Batch);
                }
                else
                {
                    for (int n = 0; n < layout.Batch; n++)
                    {
                        job.Execute(n, layout.Batch);
                    }
                }
            }
            finally
            {
                job._logProbs = null;
                job._labels = null;
                job._inputLengths = null;
                job._targetLengths = null;
                job._workspace = null;
                job._collected = null;
                job._destination = null;
            }
        }
    }

    /// <summary>Each sequence's first label (padded rows, or running sums of the lengths); returns the number of alpha states.</summary>
    [HotPath]
    private long Plan(CtcLayout layout, CtcTargets targets)
    {
        if (_offsets.Length < layout.Batch)
        {
            GrowOffsets(layout.Batch);
        }

        long states = 0;
        int offset = 0;
        for (int n = 0; n < layout.Batch; n++)
        {
            _offsets[n] = targets.IsConcatenated ? offset : n * targets.PaddedLength;
            offset += targets.TargetLengths[n];
            states += (long)targets.InputLengths[n] * ((2 * targets.TargetLengths[n]) + 1);
        }

        return states;
    }

    private void GrowOffsets(int batch) => _offsets = new int[batch];

    private static CtcBatchRun Create() => t_job = new CtcBatchRun();
}
