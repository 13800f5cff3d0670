using System.Runtime.ExceptionServices;
using FastLoss.Generation;
using FastLoss.Kernels;

namespace FastLoss.Threading;

/// <summary>
/// The threads that share compute-heavy kernels (matrix products, convolutions over a batch). The workers are
/// created once and wait for work; the submitting thread runs parts too, so <see cref="ThreadCount"/> threads
/// compute in all. Submitting work allocates nothing. Work submitted while the pool is busy (from another
/// thread, or from inside a part) runs on the submitting thread alone, so nesting never deadlocks.
/// </summary>
public static class ComputePool
{
    /// <summary>The largest thread count <see cref="SetThreadCount"/> accepts.</summary>
    public const int MaxThreadCount = 256;

    private static readonly object s_gate = new();
    private static readonly Lock s_growLock = new();
    private static Worker[] s_workers = [];
    private static int s_threadCount = Math.Clamp(Environment.ProcessorCount, 1, MaxThreadCount);
    private static int s_busy;
    private static int s_generation;
    private static int s_sleepers;

    // The job being run; written by the submitting thread before the workers are released.
    private static IParallelWork? s_work;
    private static int s_partCount;
    private static int s_nextPart;
    private static Exception? s_failure;

    /// <summary>How many threads (the caller included) run parallel kernels; defaults to the processor count.</summary>
    public static int ThreadCount => Volatile.Read(ref s_threadCount);

    /// <summary>
    /// Whether work submitted now may run on more than one thread: more than one thread is configured and the
    /// pool is not already running a job (inside a part, nested work runs on its thread alone).
    /// </summary>
    internal static bool CanRunInParallel => ThreadCount > 1 && Volatile.Read(ref s_busy) == 0;

    /// <summary>
    /// Sets how many threads run parallel kernels (torch.set_num_threads). 1 runs everything on the calling thread.
    /// Kernels split their work in ways that do not depend on the count, so results are the same for any count.
    /// </summary>
    public static void SetThreadCount(int count)
    {
        if (count < 1 || count > MaxThreadCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count), count, $"The thread count must be between 1 and {MaxThreadCount}, got {count}.");
        }

        Volatile.Write(ref s_threadCount, count);
    }

    /// <summary>
    /// Runs parts 0..<paramref name="partCount"/>-1 of <paramref name="work"/> on up to <see cref="ThreadCount"/>
    /// threads and returns when all are done. Which thread runs which part is not fixed, so a part must not
    /// depend on it.
    /// </summary>
    [HotPath]
    internal static void Run(IParallelWork work, int partCount)
    {
        if (partCount <= 0)
        {
            return;
        }

        PrepareThread();
        int threads = Math.Min(ThreadCount, partCount);
        if (threads == 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int part = 0; part < partCount; part++)
            {
                work.Execute(part, partCount);
            }

            return;
        }

        try
        {
            RunOnWorkers(work, partCount, threads - 1);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Gives this thread its per-thread scratch before it runs any part, sized for every plan made so far: parts go
    /// to whichever thread takes them first, so scratch grown only where a part first landed could allocate in any
    /// later step. After warm-up this is two reads.
    /// </summary>
    [HotPath]
    private static void PrepareThread()
    {
        ThreadScratch.Prepare();
        GemmScratch.Prepare();
    }

    [HotPath]
    private static void RunOnWorkers(IParallelWork work, int partCount, int helperCount)
    {
        Worker[] workers = EnsureWorkers(helperCount);
        s_work = work;
        s_partCount = partCount;
        s_nextPart = 0;
        s_failure = null;
        int generation = ++s_generation;
        for (int i = 0; i < helperCount; i++)
        {
            Volatile.Write(ref workers[i].Handshake.Requested, generation);
        }

        // Pairs with the worker's increment of s_sleepers before it re-reads Requested: one side sees the other.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref s_sleepers) > 0)
        {
            lock (s_gate)
            {
                Monitor.PulseAll(s_gate);
            }
        }

        RunParts();
        for (int i = 0; i < helperCount; i++)
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref workers[i].Handshake.Completed) != generation)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        s_work = null;
        Exception? failure = s_failure;
        if (failure is not null)
        {
            s_failure = null;
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    [HotPath]
    private static void RunParts()
    {
        IParallelWork work = s_work!;
        int partCount = s_partCount;
        int part;
        while ((part = Interlocked.Increment(ref s_nextPart) - 1) < partCount)
        {
            try
            {
                work.Execute(part, partCount);
            }
#pragma warning disable CA1031 // A failing part is reported to the submitting thread, which rethrows it.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref s_failure, exception, null);
            }
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] workers = s_workers;
        if (workers.Length >= count)
        {
            return workers;
        }

        lock (s_growLock)
        {
            workers = s_workers;
            if (workers.Length < count)
            {
                var grown = new Worker[count];
                Array.Copy(workers, grown, workers.Length);
                for (int i = workers.Length; i < count; i++)
                {
                    grown[i] = new Worker(i + 1);
                }

                s_workers = grown;
                workers = grown;
            }
        }

        return workers;
    }

    /// <summary>One helper thread: it spins briefly after each job (jobs come in quick bursts), then sleeps.</summary>
    private sealed class Worker
    {
        // Longer than the gaps between the kernels of a step or a batch-1 inference (its small layers run on the
        // caller alone): measured on the seed CNN at batch 1 on two threads, 50 us let the helper fall asleep between
        // convolutions and the call took 231 us, 200 us keeps it awake and the call takes 142 us. Longer idle periods
        // put the thread to sleep.
        private static readonly long s_spinTicks = System.Diagnostics.Stopwatch.Frequency / 5_000;

        public WorkerHandshake Handshake;

        public Worker(int index)
        {
            var thread = new Thread(Loop)
            {
                IsBackground = true,
                Name = $"FastLoss compute {index}",
            };
            thread.Start();
        }

        private void Loop()
        {
            while (true)
            {
                WaitForRequest();
                int generation = Volatile.Read(ref Handshake.Requested);
                PrepareThread();
                RunParts();
                Volatile.Write(ref Handshake.Completed, generation);
            }
        }

        private void WaitForRequest()
        {
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + s_spinTicks;
            do
            {
                if (Volatile.Read(ref Handshake.Requested) != Volatile.Read(ref Handshake.Completed))
                {
                    return;
                }

                Thread.SpinWait(8);
            }
            while (System.Diagnostics.Stopwatch.GetTimestamp() < deadline);

            lock (s_gate)
            {
                Interlocked.Increment(ref s_sleepers);
                while (Volatile.Read(ref Handshake.Requested) == Volatile.Read(ref Handshake.Completed))
                {
                    Monitor.Wait(s_gate);
                }

                Interlocked.Decrement(ref s_sleepers);
            }
        }
    }
}
