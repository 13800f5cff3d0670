namespace FastLoss.Threading;

/// <summary>
/// One float buffer per thread that grows to the largest size asked of it, for kernels that need temporary space
/// inside a parallel part (an unfolded image, say). A thread runs one part at a time and parts never call each
/// other, so one buffer per thread is enough; after warm-up no request allocates.
/// </summary>
internal static class ThreadScratch
{
    [ThreadStatic] private static float[]? t_buffer;

    /// <summary>This thread's buffer, at least <paramref name="count"/> floats long; its contents are undefined.</summary>
    public static Span<float> Get(int count)
    {
        float[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < count)
        {
            buffer = GC.AllocateUninitializedArray<float>(count);
            t_buffer = buffer;
        }

        return buffer.AsSpan(0, count);
    }
}
