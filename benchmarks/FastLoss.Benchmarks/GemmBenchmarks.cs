using BenchmarkDotNet.Attributes;
using FastLoss.Kernels;
using FastLoss.Threading;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// Single-precision products C (M x N) = A (M x K) * op(B) and op(A) * B: FastLoss's Gemm against torch.mm
/// (libtorch's BLAS) at 256 x 256 x 256, 256 x 1024 x 1024 (M x N x K) and 1024^3. Both use
/// <see cref="TorchSettings.Threads"/> threads. One product is 2 * M * N * K flops; compare with
/// <see cref="FmaPeakBenchmarks"/> for the fraction of the core's peak.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Gemm")]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];
    private torch.Tensor _torchA = null!, _torchB = null!;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    public static IEnumerable<GemmShape> Shapes =>
        [new GemmShape(256, 256, 256), new GemmShape(256, 1024, 1024), new GemmShape(1024, 1024, 1024)];

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        ComputePool.SetThreadCount(TorchSettings.Threads);
        var (m, n, k) = (Shape.M, Shape.N, Shape.K);
        var random = new Random(m + n + k);
        _a = Uniform(random, m * k);
        _b = Uniform(random, k * n);
        _c = new float[m * n];
        _torchA = torch.tensor(_a, [m, k]);
        _torchB = torch.tensor(_b, [k, n]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchA.Dispose();
        _torchB.Dispose();
    }

    [Benchmark(Baseline = true, Description = "torch.mm A B")]
    public float TorchNN()
    {
        using var product = torch.mm(_torchA, _torchB);
        return product[0, 0].item<float>();
    }

    [Benchmark(Description = "Gemm A B")]
    public float FastLossNN()
    {
        Gemm.Sgemm(false, false, Shape.M, Shape.N, Shape.K, 1f, _a, Shape.K, _b, Shape.N, 0f, _c, Shape.N);
        return _c[0];
    }

    // B (K x N) read as op(B) = (B^T)^T: the same numbers laid out N x K, as a weight gradient's operand is.
    [Benchmark(Description = "Gemm A B^T")]
    public float FastLossNT()
    {
        Gemm.Sgemm(false, true, Shape.M, Shape.N, Shape.K, 1f, _a, Shape.K, _b, Shape.K, 0f, _c, Shape.N);
        return _c[0];
    }

    // A (M x K) read as op(A) = (A^T)^T: the same numbers laid out K x M, as an input gradient's operand is.
    [Benchmark(Description = "Gemm A^T B")]
    public float FastLossTN()
    {
        Gemm.Sgemm(true, false, Shape.M, Shape.N, Shape.K, 1f, _a, Shape.M, _b, Shape.N, 0f, _c, Shape.N);
        return _c[0];
    }

    private static float[] Uniform(Random random, int count) => BenchmarkData.Uniform(random, count, 0f, 1f);
}

/// <summary>A product's size, M x N x K (C is M x N, the sum runs over K).</summary>
public sealed record GemmShape(int M, int N, int K)
{
    public override string ToString() => $"{M}x{N}x{K}";
}
