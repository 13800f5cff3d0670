using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Writes a cross-entropy gradient row with non-temporal stores, for gradients far larger than the caches. A plain
/// store first reads the line it writes from memory; when the gradient does not stay in cache that read is wasted
/// and doubles the write traffic. So the kernels keep the row's exp(x - max) in a small scratch row (which stays
/// in L1), then stream the finished gradient out, aligned to cache lines, in one pass that never reads it back.
/// </summary>
internal static unsafe class StreamedGradientRows
{
    /// <summary>Below this many gradient bytes (a quarter of the L3 cache here) the gradient stays in cache for its reader, so plain stores win.</summary>
    private const long MinimumBytes = 8L << 20;

    /// <summary>The scratch row lives on the stack: up to 16 KiB.</summary>
    public const int MaxClasses = 4096;

    /// <summary>Whether a whole gradient of <paramref name="length"/> floats (any layout) is large enough to stream.</summary>
    public static bool Worthwhile(int length) => Avx512F.IsSupported && (4L * length) >= MinimumBytes;

    /// <summary>Whether contiguous rows of <paramref name="classes"/> can be streamed (the scratch row holds them).</summary>
    public static bool FitsRow(int classes) => classes >= Vector512<float>.Count && classes <= MaxClasses;

    /// <summary>
    /// g = e * k - b * w (w all ones when <paramref name="weighted"/> is false), minus <paramref name="hit"/> at
    /// class <paramref name="hitClass"/>; the same operations, in the same order, as the cached kernels.
    /// </summary>
    public static void IndexRow(ref float e, ref float g, int classes, float k, float b, ref float w, bool weighted, int hitClass, float hit)
    {
        fixed (float* row = &g)
        {
            var scale = Vector512.Create(k);
            var shift = Vector512.Create(b);
            int i = 0;
            int head = Math.Min(HeadLength(row), classes);
            for (; i < head; i++)
            {
                row[i] = IndexValue(ref e, ref w, weighted, i, k, b, hitClass, hit);
            }

            for (; i <= classes - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var value = Vector512.LoadUnsafe(ref e, (nuint)i) * scale;
                value -= weighted ? shift * Vector512.LoadUnsafe(ref w, (nuint)i) : shift;
                if ((uint)(hitClass - i) < (uint)Vector512<float>.Count)
                {
                    value -= Vector512.Equals(Vector512<int>.Indices, Vector512.Create(hitClass - i)).AsSingle() & Vector512.Create(hit);
                }

                Avx512F.StoreAlignedNonTemporal(row + i, value);
            }

            for (; i < classes; i++)
            {
                row[i] = IndexValue(ref e, ref w, weighted, i, k, b, hitClass, hit);
            }
        }
    }

    /// <summary>g = e * k - s * q with q = w * ((1 - eps) t + eps / C), as the cached probability kernel.</summary>
    public static void ProbabilityRow(ref float e, ref float t, ref float g, int classes, float k, float s, ref float w, bool weighted, float keep, float epsPerClass)
    {
        fixed (float* row = &g)
        {
            var scale = Vector512.Create(k);
            var entryScale = Vector512.Create(s);
            var keepV = Vector512.Create(keep);
            var epsV = Vector512.Create(epsPerClass);
            int i = 0;
            int head = Math.Min(HeadLength(row), classes);
            for (; i < head; i++)
            {
                row[i] = ProbabilityValue(ref e, ref t, ref w, weighted, i, k, s, keep, epsPerClass);
            }

            for (; i <= classes - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var q = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref t, (nuint)i), keepV, epsV);
                if (weighted)
                {
                    q *= Vector512.LoadUnsafe(ref w, (nuint)i);
                }

                var value = (Vector512.LoadUnsafe(ref e, (nuint)i) * scale) - (entryScale * q);
                Avx512F.StoreAlignedNonTemporal(row + i, value);
            }

            for (; i < classes; i++)
            {
                row[i] = ProbabilityValue(ref e, ref t, ref w, weighted, i, k, s, keep, epsPerClass);
            }
        }
    }

    /// <summary>Orders the streamed stores before whatever the caller does next (they bypass the cache).</summary>
    public static void Finish() => Sse.StoreFence();

    /// <summary>Floats before the row's first 64-byte boundary.</summary>
    private static int HeadLength(float* row) => (int)((64 - ((nuint)row & 63)) & 63) / sizeof(float);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float IndexValue(ref float e, ref float w, bool weighted, int i, float k, float b, int hitClass, float hit)
    {
        float value = (Unsafe.Add(ref e, i) * k) - (weighted ? b * Unsafe.Add(ref w, i) : b);
        return i == hitClass ? value - hit : value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ProbabilityValue(ref float e, ref float t, ref float w, bool weighted, int i, float k, float s, float keep, float epsPerClass)
    {
        float q = MathF.FusedMultiplyAdd(Unsafe.Add(ref t, i), keep, epsPerClass);
        if (weighted)
        {
            q *= Unsafe.Add(ref w, i);
        }

        return (Unsafe.Add(ref e, i) * k) - (s * q);
    }
}
