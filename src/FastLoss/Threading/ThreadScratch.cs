namespace FastLoss.Threading;

/// <summary>
/// One float buffer per thread for kernels that need temporary space inside a parallel part (an unfolded image,
/// say). A thread runs one part at a time and parts never call each other, so one buffer per thread is enough.
/// Plans <see cref="Reserve"/> the size they need when they are made, and every thread that runs parts grows its
/// buffer to the largest reservation before its first part after it (<see cref="Prepare"/>): which thread takes
/// which part changes from call to call, so a buffer that grew only on demand could allocate in any later step.
/// </summary>
internal static class ThreadScratch
{
    [ThreadStatic] private static float[]? t_buffer;

    // The largest size any plan has reserved; buffers never shrink, so neither does this.
    private static int s_reserved;

    /// <summary>Notes that parts may ask for <paramref name="count"/> floats, and grows this thread's buffer to it.</summary>
    public static void Reserve(int count)
    {
        int seen = Volatile.Read(ref s_reserved);
        while (seen < count)
        {
            int previous = Interlocked.CompareExchange(ref s_reserved, count, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }

        Prepare();
    }

    /// <summary>Grows this thread's buffer to the largest reservation; called before a thread runs parts.</summary>
    public static void Prepare()
    {
        int reserved = Volatile.Read(ref s_reserved);
        if (reserved > 0 && (t_buffer is null || t_buffer.Length < reserved))
        {
            t_buffer = GC.AllocateUninitializedArray<float>(reserved);
        }
    }

    /// <summary>This thread's buffer, at least <paramref name="count"/> floats long; its contents are undefined.</summary>
    public static Span<float> Get(int count)
    {
        float[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < count)
        {
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(count, Volatile.Read(ref s_reserved)));
            t_buffer = buffer;
        }

        return buffer.AsSpan(0, count);
    }
}
