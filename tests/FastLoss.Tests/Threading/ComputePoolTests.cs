using FastLoss.Tests.TestSupport;
using FastLoss.Threading;

namespace FastLoss.Tests.Threading;

[Collection(ProcessWideSettings.Name)]
public sealed class ComputePoolTests
{
    private sealed class CountingWork : IParallelWork
    {
        public int[] Runs = new int[64];
        public int[] Threads = new int[64];
        public int SeenPartCount;

        public void Execute(int part, int partCount)
        {
            Interlocked.Increment(ref Runs[part]);
            Threads[part] = Environment.CurrentManagedThreadId;
            SeenPartCount = partCount;
            Thread.SpinWait(20_000);
        }
    }

    private sealed class NestingWork : IParallelWork
    {
        public readonly CountingWork Inner = new();
        public int NestedOnOwnThread;

        public void Execute(int part, int partCount)
        {
            int thread = Environment.CurrentManagedThreadId;
            var inner = new CountingWork();
            ComputePool.Run(inner, 4);
            if (inner.Threads.Take(4).All(t => t == thread) && inner.Runs.Take(4).All(r => r == 1))
            {
                Interlocked.Increment(ref NestedOnOwnThread);
            }
        }
    }

    private sealed class FailingWork : IParallelWork
    {
        public void Execute(int part, int partCount)
        {
            if (part == 3)
            {
                throw new InvalidOperationException("part 3 failed");
            }
        }
    }

    /// <summary>Notes the bytes each part allocates when it asks for its scratch.</summary>
    private sealed class ScratchWork(int scratchFloats) : IParallelWork
    {
        public long[] Allocated = new long[16];

        public void Execute(int part, int partCount)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Span<float> scratch = ThreadScratch.Get(scratchFloats);
            _ = FastLoss.Kernels.GemmScratch.Current;
            Allocated[part] += GC.GetAllocatedBytesForCurrentThread() - before;
            scratch[^1] = part;
            Thread.SpinWait(5_000);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Parts_find_their_scratch_ready_on_every_thread_once_a_plan_has_reserved_it(int threads)
    {
        // Which thread takes which part changes from call to call; a thread's first part after a plan must not be
        // where its scratch grows, or a later training step allocates. Submitted from a thread that never ran a part.
        using var scope = new ThreadCountScope(threads);
        int size = 400_000 + threads;
        long[] allocated = [];
        var submitter = new Thread(() =>
        {
            ThreadScratch.Reserve(size);
            var work = new ScratchWork(size);
            for (int round = 0; round < 20; round++)
            {
                ComputePool.Run(work, 16);
            }

            allocated = work.Allocated;
        });
        submitter.Start();
        submitter.Join();
        Assert.Equal(16, allocated.Length);
        Assert.All(allocated, bytes => Assert.Equal(0, bytes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_part_runs_exactly_once(int threads)
    {
        using var scope = new ThreadCountScope(threads);
        for (int round = 0; round < 20; round++)
        {
            var work = new CountingWork();
            ComputePool.Run(work, 13);
            Assert.All(work.Runs.Take(13), runs => Assert.Equal(1, runs));
            Assert.All(work.Runs.Skip(13), runs => Assert.Equal(0, runs));
            Assert.Equal(13, work.SeenPartCount);
        }
    }

    [Fact]
    public void Work_submitted_from_inside_a_part_runs_on_that_thread()
    {
        using var scope = new ThreadCountScope(2);
        var work = new NestingWork();
        ComputePool.Run(work, 4);
        Assert.Equal(4, work.NestedOnOwnThread);
    }

    [Fact]
    public void A_failing_part_is_rethrown_on_the_submitting_thread_and_the_pool_keeps_working()
    {
        using var scope = new ThreadCountScope(2);
        var failure = Assert.Throws<InvalidOperationException>(() => ComputePool.Run(new FailingWork(), 8));
        Assert.Equal("part 3 failed", failure.Message);
        var work = new CountingWork();
        ComputePool.Run(work, 6);
        Assert.All(work.Runs.Take(6), runs => Assert.Equal(1, runs));
    }

    [Fact]
    public void The_thread_count_is_validated()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => ComputePool.SetThreadCount(0));
        Assert.Contains("The thread count must be between 1 and 256, got 0.", zero.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputePool.SetThreadCount(257));
    }
}
