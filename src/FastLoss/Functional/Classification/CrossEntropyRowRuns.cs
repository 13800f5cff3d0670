using FastLoss.Threading;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// A large contiguous cross-entropy pass cut into <see cref="Parts"/> runs of rows that the compute pool's threads
/// take as they come: one core alone cannot both compute the exponentials and keep the memory busy. The cut
/// depends only on the shape (never on the thread count) and the runs' sums are added in run order, so the result
/// is the same for any thread count. The spans are pinned for the call and passed to the runs as pointers; the
/// job object is made once per thread and kept, so a call allocates nothing.
/// </summary>
internal sealed unsafe class CrossEntropyRowRuns<TL, TV> : IParallelWork
    where TL : struct, IFloatLanes<TV>
    where TV : struct
{
    /// <summary>The number of runs: a few per core, so a thread that is late to start is not waited for long.</summary>
    public const int Parts = 8;

    /// <summary>Below this many logits (4 MiB) a pass takes under a millisecond and handing out work costs more than it saves.</summary>
    private const long MinimumElements = 1L << 20;

    [ThreadStatic]
    private static CrossEntropyRowRuns<TL, TV>? t_job;

    private readonly double[] _totals = new double[Parts];
    private float* _logits;
    private long* _indexTargets;
    private float* _probabilityTargets;
    private float* _weight;
    private int _weightLength;
    private float* _entryUpstream;
    private float* _entryLosses;
    private float* _gradient;
    private int _batch;
    private int _classes;
    private float _weightTotal;
    private float _smoothing;
    private long _ignoreIndex;
    private float _gradientScale;
    private bool _streamGradient;

    /// <summary>Whether a pass over <paramref name="batch"/> rows of <paramref name="classes"/> is cut into runs.</summary>
    public static bool Applies(int batch, int classes) => batch >= Parts && (long)batch * classes >= MinimumElements;

    public static double IndexTargets(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<long> targets, scoped ref CrossEntropyPass pass)
    {
        fixed (long* indexTargets = targets)
        {
            return Run(logits, batch, classes, indexTargets, null, ref pass);
        }
    }

    public static double ProbabilityTargets(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass)
    {
        fixed (float* probabilityTargets = targets)
        {
            return Run(logits, batch, classes, null, probabilityTargets, ref pass);
        }
    }

    /// <summary>Runs the rows of run <paramref name="part"/> with the serial kernel and keeps their sum.</summary>
    public void Execute(int part, int partCount)
    {
        int first = (int)((long)_batch * part / partCount);
        int rows = (int)((long)_batch * (part + 1) / partCount) - first;
        long start = (long)first * _classes;
        int length = rows * _classes;
        var pass = new CrossEntropyPass
        {
            Weight = new ReadOnlySpan<float>(_weight, _weightLength),
            WeightTotal = _weightTotal,
            Smoothing = _smoothing,
            IgnoreIndex = _ignoreIndex,
            GradientScale = _gradientScale,
            StreamGradient = _streamGradient,
            EntryUpstream = _entryUpstream == null ? default : new ReadOnlySpan<float>(_entryUpstream + first, rows),
            EntryLosses = _entryLosses == null ? default : new Span<float>(_entryLosses + first, rows),
            Gradient = _gradient == null ? default : new Span<float>(_gradient + start, length),
        };
        var logits = new ReadOnlySpan<float>(_logits + start, length);
        _totals[part] = _indexTargets != null
            ? CrossEntropyContiguous<TL, TV>.IndexRows(logits, rows, _classes, new ReadOnlySpan<long>(_indexTargets + first, rows), ref pass)
            : CrossEntropyContiguous<TL, TV>.ProbabilityRows(logits, rows, _classes, new ReadOnlySpan<float>(_probabilityTargets + start, length), ref pass);
    }

    private static double Run(ReadOnlySpan<float> logits, int batch, int classes, long* indexTargets, float* probabilityTargets, scoped ref CrossEntropyPass pass)
    {
        var job = t_job ??= new CrossEntropyRowRuns<TL, TV>();
        fixed (float* x = logits, weight = pass.Weight, entryUpstream = pass.EntryUpstream, entryLosses = pass.EntryLosses, gradient = pass.Gradient)
        {
            job._logits = x;
            job._indexTargets = indexTargets;
            job._probabilityTargets = probabilityTargets;
            job._weight = weight;
            job._weightLength = pass.Weight.Length;
            job._entryUpstream = pass.EntryUpstream.IsEmpty ? null : entryUpstream;
            job._entryLosses = pass.EntryLosses.IsEmpty ? null : entryLosses;
            job._gradient = pass.Gradient.IsEmpty ? null : gradient;
            job._batch = batch;
            job._classes = classes;
            job._weightTotal = pass.WeightTotal;
            job._smoothing = pass.Smoothing;
            job._ignoreIndex = pass.IgnoreIndex;
            job._gradientScale = pass.GradientScale;
            job._streamGradient = pass.StreamGradient;
            try
            {
                ComputePool.Run(job, Parts);
            }
            finally
            {
                // No pointer outlives the pins.
                job._logits = job._probabilityTargets = job._weight = job._entryUpstream = job._entryLosses = job._gradient = null;
                job._indexTargets = null;
            }
        }

        double total = 0;
        for (int part = 0; part < Parts; part++)
        {
            total += job._totals[part];
        }

        return total;
    }
}
