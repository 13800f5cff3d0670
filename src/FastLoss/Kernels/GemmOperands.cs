namespace FastLoss.Kernels;

/// <summary>
/// One product C (+)= alpha * op(A) * op(B) over pinned row-major matrices: op(A) is M x K, op(B) is K x N,
/// C is M x N. A transposed operand is stored as its transpose (K x M for A, N x K for B).
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
}
