using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Cross-entropy over contiguous rows of at most 16 classes (CIFAR-10's 10, say): one Vector512 holds a whole row,
/// lanes past the last class masked off. Row by row the max, exp, sums and the gradient stay in registers and the
/// gradient row is written at once; the logarithms of the rows' sums, needed only for the loss, are taken 16 rows at a
/// time in one vector. A row's loss is <c>A + B * log(sum exp)</c> with A and B from that row (see the kernels).
/// Rows are read and written with masked loads and stores, which touch only the row's own classes (and never fault
/// past the end of a span).
/// </summary>
internal static unsafe class SmallClassRows
{
    private const int Lanes = 16;

    /// <summary>Whether rows of <paramref name="classes"/> run here.</summary>
    public static bool Applies(int classes) => Avx512F.IsSupported && classes >= 1 && classes <= Lanes;

    /// <summary>Class-index targets; the same results as <see cref="CrossEntropyContiguous"/>.</summary>
    [SkipLocalsInit]
    public static double IndexTargets(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<long> targets, scoped ref CrossEntropyPass pass)
    {
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        bool perEntryUpstream = !pass.EntryUpstream.IsEmpty;
        float eps = pass.Smoothing;
        float keep = 1f - eps;
        float epsPerClass = eps / classes;
        var valid = ValidLanes(classes);
        var chunk = new LossChunk(stackalloc float[3 * Lanes]);
        double total = 0;

        fixed (float* x0 = logits, g0 = pass.Gradient, w0 = pass.Weight)
        {
            var weight = weighted ? Avx512F.MaskLoad(w0, valid, Vector512<float>.Zero) : Vector512<float>.One;
            for (int n = 0; n < batch; n++)
            {
                long target = targets[n];
                int offset = n * classes;
                if (target == pass.IgnoreIndex)
                {
                    chunk.Add(0f, 0f, 1f);
                    if (writeGradient)
                    {
                        Avx512F.MaskStore(g0 + offset, valid, Vector512<float>.Zero);
                    }

                    total += chunk.FlushIfFull(pass.EntryLosses, n);
                    continue;
                }

                int y = (int)target;
                var masked = Avx512F.MaskLoad(x0 + offset, valid, Vector512.Create(float.NegativeInfinity));
                var max = BroadcastMax(masked);
                var e = FastVectorMath.Exp(masked - max) & valid;
                float sumExp = Sum(e);
                float top = max.ToScalar();
                float wy = weighted ? w0[y] : 1f;

                // loss = keep * w[y] * (max - x[y]) + eps/C * sum_c w[c] (max - x[c]) + (keep * w[y] + eps/C * W) * log(sum).
                float a = wy * (top - x0[offset + y]);
                float b = wy;
                if (eps > 0f)
                {
                    float gap = Sum(Select(valid, max - masked, Vector512<float>.Zero) * weight);
                    a = (keep * a) + (epsPerClass * gap);
                    b = (keep * wy) + (epsPerClass * pass.WeightTotal);
                }

                chunk.Add(a, b, sumExp);

                if (writeGradient)
                {
                    // As the wide kernel: g = s * [(keep w[y] + eps/C W) p - eps/C w - keep w[y] onehot(y)].
                    float s = perEntryUpstream ? pass.GradientScale * pass.EntryUpstream[n] : pass.GradientScale;
                    float k = s * ((keep * wy) + (epsPerClass * pass.WeightTotal)) / sumExp;
                    float shift = s * epsPerClass;
                    var gradient = (e * Vector512.Create(k)) - (weighted && eps > 0f ? Vector512.Create(shift) * weight : Vector512.Create(shift));
                    gradient -= Vector512.Equals(Vector512<int>.Indices, Vector512.Create(y)).AsSingle() & Vector512.Create(s * keep * wy);
                    Avx512F.MaskStore(g0 + offset, valid, gradient);
                }

                total += chunk.FlushIfFull(pass.EntryLosses, n);
            }
        }

        return total + chunk.Flush(pass.EntryLosses, batch - 1);
    }

    /// <summary>Class-probability targets; the same results as <see cref="CrossEntropyContiguous"/>.</summary>
    [SkipLocalsInit]
    public static double ProbabilityTargets(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass)
    {
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        bool perEntryUpstream = !pass.EntryUpstream.IsEmpty;
        var keep = Vector512.Create(1f - pass.Smoothing);
        var epsPerClass = Vector512.Create(pass.Smoothing / classes);
        var valid = ValidLanes(classes);
        var chunk = new LossChunk(stackalloc float[3 * Lanes]);
        double total = 0;

        fixed (float* x0 = logits, t0 = targets, g0 = pass.Gradient, w0 = pass.Weight)
        {
            var weight = weighted ? Avx512F.MaskLoad(w0, valid, Vector512<float>.Zero) : Vector512<float>.One;
            for (int n = 0; n < batch; n++)
            {
                int offset = n * classes;
                var masked = Avx512F.MaskLoad(x0 + offset, valid, Vector512.Create(float.NegativeInfinity));
                var t = Avx512F.MaskLoad(t0 + offset, valid, Vector512<float>.Zero);
                var max = BroadcastMax(masked);
                var e = FastVectorMath.Exp(masked - max) & valid;
                float sumExp = Sum(e);

                // With q = w * ((1 - eps) t + eps/C): loss = sum q * (max - x) + log(sum) * sum q.
                var q = Vector512.MultiplyAddEstimate(t, keep, epsPerClass) * weight & valid;
                float sumQ = Sum(q);
                float gapQ = Sum(q * Select(valid, max - masked, Vector512<float>.Zero));
                chunk.Add(gapQ, sumQ, sumExp);

                if (writeGradient)
                {
                    // d/dx_j = s * (sum q * p_j - q_j).
                    float s = perEntryUpstream ? pass.GradientScale * pass.EntryUpstream[n] : pass.GradientScale;
                    var gradient = (e * Vector512.Create(s * sumQ / sumExp)) - (Vector512.Create(s) * q);
                    Avx512F.MaskStore(g0 + offset, valid, gradient);
                }

                total += chunk.FlushIfFull(pass.EntryLosses, n);
            }
        }

        return total + chunk.Flush(pass.EntryLosses, batch - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ValidLanes(int classes) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(classes)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Select(Vector512<float> mask, Vector512<float> yes, Vector512<float> no) =>
        Vector512.ConditionalSelect(mask, yes, no);

    /// <summary>The row's max in every lane: four swap-and-max steps (256-bit halves, 128-bit quarters, pairs, neighbours).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> BroadcastMax(Vector512<float> v)
    {
        v = Vector512.MaxNative(v, Avx512F.Shuffle4x128(v, v, 0b01_00_11_10));
        v = Vector512.MaxNative(v, Avx512F.Shuffle4x128(v, v, 0b10_11_00_01));
        v = Vector512.MaxNative(v, Avx512F.Shuffle(v, v, 0b01_00_11_10));
        return Vector512.MaxNative(v, Avx512F.Shuffle(v, v, 0b10_11_00_01));
    }

    /// <summary>The sum of the lanes (the runtime's Vector512.Sum reduces through 128-bit halves in many more steps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum(Vector512<float> v)
    {
        v += Avx512F.Shuffle4x128(v, v, 0b01_00_11_10);
        v += Avx512F.Shuffle4x128(v, v, 0b10_11_00_01);
        v += Avx512F.Shuffle(v, v, 0b01_00_11_10);
        return (v + Avx512F.Shuffle(v, v, 0b10_11_00_01)).ToScalar();
    }

    /// <summary>Up to 16 rows' loss terms A, B and sum exp, waiting for one vector logarithm.</summary>
    private ref struct LossChunk
    {
        private readonly Span<float> _a;
        private readonly Span<float> _b;
        private readonly Span<float> _sums;
        private int _count;

        public LossChunk(Span<float> storage)
        {
            _a = storage[..Lanes];
            _b = storage.Slice(Lanes, Lanes);
            _sums = storage.Slice(2 * Lanes, Lanes);
            _count = 0;
        }

        public void Add(float a, float b, float sumExp)
        {
            _a[_count] = a;
            _b[_count] = b;
            _sums[_count] = sumExp;
            _count++;
        }

        /// <summary>When 16 rows wait, their losses (rows up to <paramref name="lastRow"/>); else 0.</summary>
        public double FlushIfFull(Span<float> entryLosses, int lastRow) => _count == Lanes ? Flush(entryLosses, lastRow) : 0;

        /// <summary>The waiting rows' losses, written per entry when the pass wants them; their sum is returned.</summary>
        public double Flush(Span<float> entryLosses, int lastRow)
        {
            if (_count == 0)
            {
                return 0;
            }

            // Lanes past the waiting rows hold stale values; they are computed and dropped.
            var logSum = FastVectorMath.Log(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(_sums)));
            var loss = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(_a)) + (Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(_b)) * logSum);
            int first = lastRow + 1 - _count;
            double total = 0;
            for (int i = 0; i < _count; i++)
            {
                float value = loss[i];
                if (!entryLosses.IsEmpty)
                {
                    entryLosses[first + i] = value;
                }

                total += value;
            }

            _count = 0;
            return total;
        }
    }
}
