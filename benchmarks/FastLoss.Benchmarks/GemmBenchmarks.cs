using BenchmarkDotNet.Attributes;
using FastLoss.Kernels;
using FastLoss.Threading;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// Square single-precision products C = A * op(B) and op(A) * B of size <see cref="Size"/>: FastLoss's Gemm
/// against torch.mm (libtorch's BLAS). Both use <see cref="TorchSettings.Threads"/> threads. One product is
/// 2 * Size^3 flops; compare with <see cref="FmaPeakBenchmarks"/> for the fraction of the core's peak.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Gemm")]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];
    private torch.Tensor _torchA = null!, _torchB = null!;

    [Params(256, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchSettings.Apply();
        ComputePool.SetThreadCount(TorchSettings.Threads);
        var random = new Random(Size);
        _a = new float[Size * Size];
        _b = new float[Size * Size];
        _c = new float[Size * Size];
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = (float)random.NextDouble();
            _b[i] = (float)random.NextDouble();
        }

        _torchA = torch.tensor(_a, [Size, Size]);
        _torchB = torch.tensor(_b, [Size, Size]);
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
        Gemm.Sgemm(false, false, Size, Size, Size, 1f, _a, Size, _b, Size, 0f, _c, Size);
        return _c[0];
    }

    [Benchmark(Description = "Gemm A B^T")]
    public float FastLossNT()
    {
        Gemm.Sgemm(false, true, Size, Size, Size, 1f, _a, Size, _b, Size, 0f, _c, Size);
        return _c[0];
    }

    [Benchmark(Description = "Gemm A^T B")]
    public float FastLossTN()
    {
        Gemm.Sgemm(true, false, Size, Size, Size, 1f, _a, Size, _b, Size, 0f, _c, Size);
        return _c[0];
    }
}
