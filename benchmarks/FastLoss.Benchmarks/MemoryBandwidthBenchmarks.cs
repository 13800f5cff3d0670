using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace FastLoss.Benchmarks;

/// <summary>
/// The machine's read bandwidth as one core sees it: TensorPrimitives.Sum over 256 MiB of floats, far
/// larger than any cache. A loss kernel that moves B bytes in time t uses (B / t) / (this rate) of it.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Bandwidth")]
public class MemoryBandwidthBenchmarks
{
    public const int Floats = 64 * 1024 * 1024;

    private float[] _data = [];

    [GlobalSetup]
    public void Setup()
    {
        _data = new float[Floats];
        Array.Fill(_data, 1f);
    }

    [Benchmark(Description = "TensorPrimitives.Sum over 256 MiB")]
    public float Sum() => TensorPrimitives.Sum(_data);
}
