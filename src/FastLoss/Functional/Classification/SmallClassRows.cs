using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Cross-entropy over contiguous rows of at most 16 classes (CIFAR-10's 10, say): one Vector512 holds a whole row,
/// lanes past the last class masked off. Rows go in blocks of 16. First, row by row, the max, exp(x - max) (kept on
/// the stack) and the sums; those chains are independent from row to row, so the processor overlaps them. Then the
/// per-row scalars of all 16 rows at once, in one vector each: the logarithms of the sums, the losses
/// <c>A + B * log(sum exp)</c> and the gradient factors. Last, row by row, the gradient from the kept exponentials.
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
        float eps = pass.Smoothing;
        float keep = 1f - eps;
        float epsPerClass = eps / classes;
        bool weightedShift = weighted && eps > 0f;
        var valid = ValidLanes(classes);
        Span<Vector512<float>> exps = stackalloc Vector512<float>[Lanes];
        var block = new BlockScalars(stackalloc float[BlockScalars.Floats]);
        Span<int> hitClass = stackalloc int[Lanes];
        double total = 0;

        fixed (float* x0 = logits, g0 = pass.Gradient, w0 = pass.Weight, up0 = pass.EntryUpstream)
        {
            var weight = weighted ? Avx512F.MaskLoad(w0, valid, Vector512<float>.Zero) : Vector512<float>.One;
            for (int first = 0; first < batch; first += Lanes)
            {
                int rows = Math.Min(Lanes, batch - first);
                for (int r = 0; r < rows; r++)
                {
                    int n = first + r;
                    long target = targets[n];
                    if (target == pass.IgnoreIndex)
                    {
                        // Loss 0 + 0 * log 1; the gradient row is cleared below.
                        block.Set(r, 0f, 0f, 1f, 0f);
                        hitClass[r] = -1;
                        continue;
                    }

                    int y = (int)target;
                    int offset = n * classes;
                    var masked = Avx512F.MaskLoad(x0 + offset, valid, Vector512.Create(float.NegativeInfinity));
                    var max = BroadcastMax(masked);
                    var e = FastVectorMath.Exp(masked - max) & valid;
                    exps[r] = e;
                    float wy = weighted ? w0[y] : 1f;

                    // loss = keep * w[y] * (max - x[y]) + eps/C * sum_c w[c] (max - x[c]) + (keep * w[y] + eps/C * W) * log(sum).
                    float a = wy * (max.ToScalar() - x0[offset + y]);
                    float b = wy;
                    if (eps > 0f)
                    {
                        float gap = Sum(Select(valid, max - masked, Vector512<float>.Zero) * weight);
                        a = (keep * a) + (epsPerClass * gap);
                        b = (keep * wy) + (epsPerClass * pass.WeightTotal);
                    }

                    block.Set(r, a, b, Sum(e), wy);
                    hitClass[r] = y;
                }

                total += block.AddLosses(rows, pass.EntryLosses, first);
                if (!writeGradient)
                {
                    continue;
                }

                // As the wide kernel: g = s * [(keep w[y] + eps/C W) p - eps/C w - keep w[y] onehot(y)], with
                // k = s (keep w[y] + eps/C W) / sum, shift = s eps/C and hit = s keep w[y] for the 16 rows at once.
                var s = EntryScales(pass.GradientScale, up0, first, rows);
                var wyV = block.Extra;
                block.StoreFactors(
                    s * ((Vector512.Create(keep) * wyV) + Vector512.Create(epsPerClass * pass.WeightTotal)) / block.Sums(rows),
                    s * Vector512.Create(epsPerClass),
                    s * Vector512.Create(keep) * wyV);
                for (int r = 0; r < rows; r++)
                {
                    float* row = g0 + ((first + r) * classes);
                    if (hitClass[r] < 0)
                    {
                        Avx512F.MaskStore(row, valid, Vector512<float>.Zero);
                        continue;
                    }

                    var shift = Vector512.Create(block.Shift(r));
                    var gradient = (exps[r] * Vector512.Create(block.Factor(r))) - (weightedShift ? shift * weight : shift);
                    gradient -= Vector512.Equals(Vector512<int>.Indices, Vector512.Create(hitClass[r])).AsSingle() & Vector512.Create(block.Hit(r));
                    Avx512F.MaskStore(row, valid, gradient);
                }
            }
        }

        return total;
    }

    /// <summary>Class-probability targets; the same results as <see cref="CrossEntropyContiguous"/>.</summary>
    [SkipLocalsInit]
    public static double ProbabilityTargets(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass)
    {
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        var keep = Vector512.Create(1f - pass.Smoothing);
        var epsPerClass = Vector512.Create(pass.Smoothing / classes);
        var valid = ValidLanes(classes);
        Span<Vector512<float>> exps = stackalloc Vector512<float>[Lanes];
        var block = new BlockScalars(stackalloc float[BlockScalars.Floats]);
        double total = 0;

        fixed (float* x0 = logits, t0 = targets, g0 = pass.Gradient, w0 = pass.Weight, up0 = pass.EntryUpstream)
        {
            var weight = weighted ? Avx512F.MaskLoad(w0, valid, Vector512<float>.Zero) : Vector512<float>.One;
            for (int first = 0; first < batch; first += Lanes)
            {
                int rows = Math.Min(Lanes, batch - first);
                for (int r = 0; r < rows; r++)
                {
                    int offset = (first + r) * classes;
                    var masked = Avx512F.MaskLoad(x0 + offset, valid, Vector512.Create(float.NegativeInfinity));
                    var max = BroadcastMax(masked);
                    var e = FastVectorMath.Exp(masked - max) & valid;
                    exps[r] = e;

                    // With q = w * ((1 - eps) t + eps/C): loss = sum q * (max - x) + log(sum) * sum q.
                    var q = SmoothedWeight(Avx512F.MaskLoad(t0 + offset, valid, Vector512<float>.Zero), keep, epsPerClass, weight, valid);
                    float sumQ = Sum(q);
                    block.Set(r, Sum(q * Select(valid, max - masked, Vector512<float>.Zero)), sumQ, Sum(e), 0f);
                }

                total += block.AddLosses(rows, pass.EntryLosses, first);
                if (!writeGradient)
                {
                    continue;
                }

                // d/dx_j = s * (sum q * p_j - q_j): k = s * sum q / sum exp for the 16 rows at once.
                var s = EntryScales(pass.GradientScale, up0, first, rows);
                block.StoreFactors(s * block.B / block.Sums(rows), s, Vector512<float>.Zero);
                for (int r = 0; r < rows; r++)
                {
                    int offset = (first + r) * classes;
                    var q = SmoothedWeight(Avx512F.MaskLoad(t0 + offset, valid, Vector512<float>.Zero), keep, epsPerClass, weight, valid);
                    var gradient = (exps[r] * Vector512.Create(block.Factor(r))) - (Vector512.Create(block.Shift(r)) * q);
                    Avx512F.MaskStore(g0 + offset, valid, gradient);
                }
            }
        }

        return total;
    }

    /// <summary>The gradient's factor per row: the pass's scale, times each entry's upstream gradient when given.</summary>
    private static Vector512<float> EntryScales(float gradientScale, float* entryUpstream, int first, int rows) =>
        entryUpstream == null
            ? Vector512.Create(gradientScale)
            : Vector512.Create(gradientScale) * Avx512F.MaskLoad(entryUpstream + first, RowLanes(rows), Vector512<float>.Zero);

    /// <summary>Lanes below <paramref name="rows"/> set.</summary>
    private static Vector512<float> RowLanes(int rows) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(rows)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SmoothedWeight(Vector512<float> t, Vector512<float> keep, Vector512<float> epsPerClass, Vector512<float> weight, Vector512<float> valid) =>
        Vector512.MultiplyAddEstimate(t, keep, epsPerClass) * weight & valid;

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

    /// <summary>
    /// The scalars of a block of up to 16 rows, one float per row in each of seven lane-wide arrays: the loss terms A
    /// and B, the sum of exponentials, one more per-row value (w[y]), and the gradient's factor, shift and hit.
    /// </summary>
    private readonly ref struct BlockScalars
    {
        public const int Floats = 7 * Lanes;

        private readonly Span<float> _storage;

        public BlockScalars(Span<float> storage) => _storage = storage;

        public Vector512<float> B => Load(1);

        public Vector512<float> Extra => Load(3);

        public void Set(int row, float a, float b, float sumExp, float extra)
        {
            _storage[row] = a;
            _storage[Lanes + row] = b;
            _storage[(2 * Lanes) + row] = sumExp;
            _storage[(3 * Lanes) + row] = extra;
        }

        /// <summary>The sums of exponentials, 1 in the lanes past <paramref name="rows"/> (stale there otherwise).</summary>
        public Vector512<float> Sums(int rows) => Vector512.ConditionalSelect(RowLanes(rows), Load(2), Vector512<float>.One);

        /// <summary>Each row's loss A + B log(sum), written per entry when wanted; their sum is returned.</summary>
        public double AddLosses(int rows, Span<float> entryLosses, int first)
        {
            var loss = Load(0) + (Load(1) * FastVectorMath.Log(Sums(rows)));
            double total = 0;
            for (int r = 0; r < rows; r++)
            {
                float value = loss.GetElement(r);
                if (!entryLosses.IsEmpty)
                {
                    entryLosses[first + r] = value;
                }

                total += value;
            }

            return total;
        }

        public void StoreFactors(Vector512<float> factor, Vector512<float> shift, Vector512<float> hit)
        {
            factor.StoreUnsafe(ref _storage[4 * Lanes]);
            shift.StoreUnsafe(ref _storage[5 * Lanes]);
            hit.StoreUnsafe(ref _storage[6 * Lanes]);
        }

        public float Factor(int row) => _storage[(4 * Lanes) + row];

        public float Shift(int row) => _storage[(5 * Lanes) + row];

        public float Hit(int row) => _storage[(6 * Lanes) + row];

        private Vector512<float> Load(int array) => Vector512.LoadUnsafe(ref _storage[array * Lanes]);
    }
}
