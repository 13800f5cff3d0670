namespace FastLoss.Kernels;

/// <summary>
/// One product C (+)= alpha * op(A) * op(B) over pinned row-major matrices: op(A) is M x K, op(B) is K x N,
/// C is M x N. A transposed operand is stored as its transpose (K x M for A, N x K for B). A stored row r
/// starts at A + r * lda, or, when a row table is given, at A + ARows[r] (likewise for B): rows of a matrix that is
/// never written out, such as a convolution's unfolded input, can then overlap in memory.
/// </summary>
internal readonly unsafe struct GemmOperands
{
    public GemmOperands(
        bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, bool accumulate, float* c, int ldc, float* packedA = null)
    {
        TransA = transA;
        TransB = transB;
        M = m;
        N = n;
        K = k;
        Alpha = alpha;
        A = a;
        Lda = lda;
        B = b;
        Ldb = ldb;
        Accumulate = accumulate;
        C = c;
        Ldc = ldc;
        PackedA = packedA;
    }

    public bool TransA { get; }

    public bool TransB { get; }

    public int M { get; }

    public int N { get; }

    public int K { get; }

    public float Alpha { get; }

    public float* A { get; }

    public int Lda { get; }

    public float* B { get; }

    public int Ldb { get; }

    /// <summary>Whether the product is added to C (else C is overwritten and never read).</summary>
    public bool Accumulate { get; }

    public float* C { get; }

    public int Ldc { get; }

    /// <summary>
    /// alpha * op(A) already packed by <see cref="GemmPacking.PackWholeA"/> for the current tiling (an operand
    /// reused across many products, such as a convolution's weight), or null to pack A block by block.
    /// </summary>
    public float* PackedA { get; }

    /// <summary>Where each stored row of A starts, in floats from <see cref="A"/>; null for rows <see cref="Lda"/> apart.</summary>
    public int* ARows { get; init; }

    /// <summary>Where each stored row of B starts, in floats from <see cref="B"/>; null for rows <see cref="Ldb"/> apart.</summary>
    public int* BRows { get; init; }

    /// <summary>Stored row <paramref name="row"/> of A.</summary>
    public float* RowOfA(int row) => ARows is null ? A + ((nint)row * Lda) : A + ARows[row];

    /// <summary>Stored row <paramref name="row"/> of B.</summary>
    public float* RowOfB(int row) => BRows is null ? B + ((nint)row * Ldb) : B + BRows[row];
}
