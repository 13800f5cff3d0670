using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FastLoss.Generation;

namespace FastLoss.Functional.Classification;

/// <summary>
/// Cross-entropy over contiguous rows of at most 16 classes (CIFAR-10's 10, say): one Vector512 holds a whole row,
/// lanes past the last class masked off, and rows go in blocks of 16 so that every per-row scalar (max, sum of
/// exponentials, logarithm, loss, gradient factor) is one lane of a vector for the whole block. The row maxima and
/// sums come out of <see cref="SixteenRowReduction"/>, which reduces the 16 rows together; only exp(x - max) and the
/// gradient itself are computed row by row. Rows are read and written with masked loads and stores, which touch
/// only the row's own classes (and never fault past the end of a span).
/// </summary>
internal static unsafe class SmallClassRows
{
    private const int Lanes = SixteenRowReduction.Rows;

    /// <summary>Whether rows of <paramref name="classes"/> run here.</summary>
    public static bool Applies(int classes) => Avx512F.IsSupported && classes >= 1 && classes <= Lanes;

    /// <summary>Class-index targets; the same results as <see cref="CrossEntropyContiguous{TL, TV}"/>.</summary>
    [SkipLocalsInit]
    public static double IndexTargets(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<long> targets, scoped ref CrossEntropyPass pass)
    {
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        float eps = pass.Smoothing;
        var keep = Vector512.Create(1f - eps);
        var epsPerClass = Vector512.Create(eps / classes);
        bool weightedShift = weighted && eps > 0f;
        var valid = ValidLanes(classes);
        var block = new RowBlock(stackalloc Vector512<float>[RowBlock.Vectors]);
        Span<float> picked = stackalloc float[Lanes];
        Span<float> targetWeight = stackalloc float[Lanes];
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
                    bool kept = target != pass.IgnoreIndex;
                    int y = kept ? (int)target : 0;
                    hitClass[r] = kept ? y : -1;
                    picked[r] = x0[(n * classes) + y];
                    targetWeight[r] = !kept ? 0f : weighted ? w0[y] : 1f;
                    block.Logits[r] = Avx512F.MaskLoad(x0 + (n * classes), valid, Vector512.Create(float.NegativeInfinity));
                }

                var max = block.Exponentiate(rows, valid);
                var keptRows = Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref hitClass[0]), Vector512<int>.Zero).AsSingle() & RowLanes(rows);
                var wy = Vector512.LoadUnsafe(ref targetWeight[0]);

                // loss = keep * w[y] * (max - x[y]) + eps/C * sum_c w[c] (max - x[c]) + (keep * w[y] + eps/C * W) * log(sum);
                // ignored rows cost A = B = 0 (and sum 1, so NaN logits there stay out of the loss, as torch's nll leaves them).
                var a = wy * (max - Vector512.LoadUnsafe(ref picked[0]));
                var b = wy;
                if (eps > 0f)
                {
                    var gap = block.WeightedGaps(max, valid, weight, weightPerRow: false);
                    a = (keep * a) + (epsPerClass * gap);
                    b = (keep * wy) + (epsPerClass * Vector512.Create(pass.WeightTotal));
                }

                var sums = Vector512.ConditionalSelect(keptRows, block.Sums, Vector512<float>.One);
                total += AddLosses(Vector512.ConditionalSelect(keptRows, a, Vector512<float>.Zero), b, sums, rows, pass.EntryLosses, first);
                if (!writeGradient)
                {
                    continue;
                }

                // As the wide kernel: g = s * [(keep w[y] + eps/C W) p - eps/C w - keep w[y] onehot(y)], with
                // k = s (keep w[y] + eps/C W) / sum, shift = s eps/C and hit = s keep w[y] for the 16 rows at once.
                var s = EntryScales(pass.GradientScale, up0, first, rows);
                var factor = s * ((keep * wy) + (epsPerClass * Vector512.Create(pass.WeightTotal))) / sums;
                var shift = s * epsPerClass;
                var hit = s * keep * wy;
                for (int r = 0; r < rows; r++)
                {
                    float* row = g0 + ((first + r) * classes);
                    if (hitClass[r] < 0)
                    {
                        // torch's log_softmax backward of an ignored row: 0 - softmax * 0, NaN where the row's softmax is.
                        var ignored = block.Exps[r] * SixteenRowReduction.Broadcast(Vector512<float>.Zero / block.Sums, r);
                        Avx512F.MaskStore(row, valid, ignored);
                        continue;
                    }

                    var rowShift = SixteenRowReduction.Broadcast(shift, r);
                    var gradient = (block.Exps[r] * SixteenRowReduction.Broadcast(factor, r)) - (weightedShift ? rowShift * weight : rowShift);
                    gradient -= Vector512.Equals(Vector512<int>.Indices, Vector512.Create(hitClass[r])).AsSingle() & SixteenRowReduction.Broadcast(hit, r);
                    Avx512F.MaskStore(row, valid, gradient);
                }
            }
        }

        return total;
    }

    /// <summary>Class-probability targets; the same results as <see cref="CrossEntropyContiguous{TL, TV}"/>.</summary>
    [SkipLocalsInit]
    public static double ProbabilityTargets(ReadOnlySpan<float> logits, int batch, int classes, ReadOnlySpan<float> targets, scoped ref CrossEntropyPass pass)
    {
        bool writeGradient = !pass.Gradient.IsEmpty;
        bool weighted = !pass.Weight.IsEmpty;
        var keep = Vector512.Create(1f - pass.Smoothing);
        var epsPerClass = Vector512.Create(pass.Smoothing / classes);
        var valid = ValidLanes(classes);
        var block = new RowBlock(stackalloc Vector512<float>[RowBlock.Vectors]);
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
                    block.Logits[r] = Avx512F.MaskLoad(x0 + offset, valid, Vector512.Create(float.NegativeInfinity));

                    // q = w * ((1 - eps) t + eps/C), kept for the gradient.
                    block.Extra[r] = Vector512.MultiplyAddEstimate(Avx512F.MaskLoad(t0 + offset, valid, Vector512<float>.Zero), keep, epsPerClass) * weight & valid;
                }

                // loss = sum q * (max - x) + log(sum) * sum q.
                var max = block.Exponentiate(rows, valid);
                var sumQ = block.ExtraSums;
                var gapQ = block.WeightedGaps(max, valid, Vector512<float>.One, weightPerRow: true);
                var sums = block.Sums;
                total += AddLosses(gapQ, sumQ, sums, rows, pass.EntryLosses, first);
                if (!writeGradient)
                {
                    continue;
                }

                // d/dx_j = s * (sum q * p_j - q_j): k = s * sum q / sum exp for the 16 rows at once.
                var s = EntryScales(pass.GradientScale, up0, first, rows);
                var factor = s * sumQ / sums;
                for (int r = 0; r < rows; r++)
                {
                    var gradient = (block.Exps[r] * SixteenRowReduction.Broadcast(factor, r)) - (SixteenRowReduction.Broadcast(s, r) * block.Extra[r]);
                    Avx512F.MaskStore(g0 + ((first + r) * classes), valid, gradient);
                }
            }
        }

        return total;
    }

    /// <summary>Each row's loss A + B log(sum), written per entry when wanted; their sum is returned.</summary>
    private static double AddLosses(Vector512<float> a, Vector512<float> b, Vector512<float> sums, int rows, Span<float> entryLosses, int first)
    {
        var loss = a + (b * FastVectorMath.Log(sums));
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
    /// A block's rows on the stack: the masked logits, exp(x - max), and one more vector per row (q for probability
    /// targets), 16 of each; rows past the end of a short block are filled so their lanes stay finite (and their
    /// exponentials are not computed).
    /// </summary>
    private readonly ref struct RowBlock
    {
        public const int Vectors = 4 * Lanes;

        private readonly Span<Vector512<float>> _storage;

        public RowBlock(Span<Vector512<float>> storage) => _storage = storage;

        public Span<Vector512<float>> Logits => _storage[..Lanes];

        public Span<Vector512<float>> Exps => _storage.Slice(Lanes, Lanes);

        public Span<Vector512<float>> Extra => _storage.Slice(2 * Lanes, Lanes);

        /// <summary>Scratch for the per-row terms of a reduction.</summary>
        private Span<Vector512<float>> Terms => _storage.Slice(3 * Lanes, Lanes);

        /// <summary>The sums of exp(x - max), row r in lane r (after <see cref="Exponentiate"/>).</summary>
        public Vector512<float> Sums => SixteenRowReduction.Reduce<AddReduction>(Exps);

        /// <summary>Fills the rows past <paramref name="rows"/>, stores exp(x - max) per row, and returns the maxima.</summary>
        public Vector512<float> Exponentiate(int rows, Vector512<float> valid)
        {
            for (int r = rows; r < Lanes; r++)
            {
                Logits[r] = Vector512.ConditionalSelect(valid, Vector512<float>.Zero, Vector512.Create(float.NegativeInfinity));
                Extra[r] = Vector512<float>.Zero;
            }

            var max = SixteenRowReduction.Reduce<MaxReduction>(Logits);
            for (int r = 0; r < rows; r++)
            {
                Exps[r] = FastVectorMath.Exp(Logits[r] - SixteenRowReduction.Broadcast(max, r)) & valid;
            }

            Exps[rows..].Clear();
            return max;
        }

        /// <summary>
        /// sum_c w[c] (max - x[c]) per row, with w the class weights <paramref name="weight"/>, or each row's own
        /// <see cref="Extra"/> vector (q) when <paramref name="weightPerRow"/>.
        /// </summary>
        public Vector512<float> WeightedGaps(Vector512<float> max, Vector512<float> valid, Vector512<float> weight, bool weightPerRow)
        {
            for (int r = 0; r < Lanes; r++)
            {
                var gap = Vector512.ConditionalSelect(valid, SixteenRowReduction.Broadcast(max, r) - Logits[r], Vector512<float>.Zero);
                Terms[r] = gap * (weightPerRow ? Extra[r] : weight);
            }

            return SixteenRowReduction.Reduce<AddReduction>(Terms);
        }

        /// <summary>The sum of each row's <see cref="Extra"/> vector.</summary>
        public Vector512<float> ExtraSums => SixteenRowReduction.Reduce<AddReduction>(Extra);
    }
}
