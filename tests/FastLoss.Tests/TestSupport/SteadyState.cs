using System.Diagnostics;

namespace FastLoss.Tests.TestSupport;

/// <summary>
/// Allocation counts of a step once it runs as it will for good: after every buffer is planned and tiered
/// compilation has replaced each method on the path (it waits for 100 ms without new methods before it compiles the
/// hot ones again), so only steady calls are counted.
/// </summary>
internal static class SteadyState
{
    /// <summary>Warms <paramref name="step"/> up (100 calls and half a second at least), then returns the bytes this thread allocates over <paramref name="calls"/> more.</summary>
    public static long AllocatedBytes(Action step, int calls)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 100 || warmUp.ElapsedMilliseconds < 500; i++)
        {
            step();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            step();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
