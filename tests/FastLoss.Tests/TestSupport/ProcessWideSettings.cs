namespace FastLoss.Tests.TestSupport;

/// <summary>
/// Tests that change process-wide settings (the compute pool's thread count, the forced Vector256 tiling) or
/// count every thread's allocations run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideSettings
{
    public const string Name = "Process-wide settings";
}

/// <summary>Sets the thread count for a scope and restores the previous one.</summary>
internal readonly struct ThreadCountScope : IDisposable
{
    private readonly int _previous;

    public ThreadCountScope(int threads)
    {
        _previous = FastLoss.Threading.ComputePool.ThreadCount;
        FastLoss.Threading.ComputePool.SetThreadCount(threads);
    }

    public void Dispose() => FastLoss.Threading.ComputePool.SetThreadCount(_previous);
}
