using BenchmarkDotNet.Attributes;
using FastLoss.Kernels;
using FastLoss.Threading;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// The measurement behind Conv2d's use of Winograd's F(2x2, 5x5) (<see cref="WinogradConvolution"/>) for conv2 and
/// conv3 of the seed CNN: each pass on one image (the forward pass, and the input gradient as the transposed
/// geometry's forward pass) and the weight transforms a training step adds, beside TorchSharp's conv2d forward and
/// backward on the same image. The tap-row passes they replace are in <see cref="ConvolutionAlgorithmBenchmarks"/>
/// ("tap rows: forward + both gradients"), with the weight gradient, which stays on tap rows. One thread each.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ConvolutionAlgorithm")]
public unsafe class WinogradConvolutionBenchmarks
{
    private SeedConvolution _layer = null!;
    private WinogradConvolution _forward = null!, _inputGrad = null!;
    private float[] _output = [], _imageGrad = [], _weightGrad = [], _scratch = [];
    private int[] _tapOffsets = [];

    /// <summary>The layers Winograd applies to (conv1's three input channels are not a whole vector).</summary>
    [Params("conv2", "conv3")]
    public string Layer { get; set; } = "conv2";

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        ComputePool.SetThreadCount(1);
        _layer = new SeedConvolution(Layer);
        Conv2dGeometry g = _layer.Geometry;
        _forward = new WinogradConvolution(g);
        _inputGrad = new WinogradConvolution(g.Transposed);
        _forward.TransformWeight(_layer.Weight, flippedTranspose: false);
        _inputGrad.TransformWeight(_layer.Weight, flippedTranspose: true);
        _output = new float[g.OutputSize];
        _imageGrad = new float[g.InputSize];
        _weightGrad = new float[g.WeightSize];
        _tapOffsets = GC.AllocateArray<int>(g.PatchSize, pinned: true);
        TapRows.FillOffsets(g, _tapOffsets);
        int scratch = Math.Max(Math.Max(_forward.ScratchSize, g.TapRowsScratchSize), _inputGrad.ScratchSize);
        _scratch = GC.AllocateArray<float>(scratch, pinned: true);
    }

    [GlobalCleanup]
    public void Cleanup() => _layer.Dispose();

    [Benchmark(Baseline = true, Description = "TorchSharp conv2d forward + backward")]
    public float TorchForwardBackward() => _layer.TorchForwardBackward();

    /// <summary>The three passes of one image as Conv2d runs them, the weight gradient on tap rows (the once-per-batch weight transforms excluded).</summary>
    [Benchmark(Description = "Winograd forward and input gradient + tap-row weight gradient")]
    public float AllPasses() => Forward() + InputGrad() + TapRowsWeightGrad();

    [Benchmark(Description = "Winograd forward")]
    public float Forward()
    {
        fixed (float* x = _layer.Image, y = _output, scratch = _scratch)
        {
            _forward.Run(x, y, _layer.Bias, accumulate: false, scratch);
        }

        return _output[0];
    }

    [Benchmark(Description = "Winograd input gradient")]
    public float InputGrad()
    {
        fixed (float* dy = _layer.OutputGrad, dx = _imageGrad, scratch = _scratch)
        {
            _inputGrad.Run(dy, dx, default, accumulate: true, scratch);
        }

        return _imageGrad[0];
    }

    private float TapRowsWeightGrad()
    {
        fixed (float* x = _layer.Image, dy = _layer.OutputGrad, planes = _scratch, dw = _weightGrad)
        fixed (int* offsets = _tapOffsets)
        {
            Conv2dTapRowKernels.AccumulateWeightGrad(_layer.Geometry, x, dy, planes, dw, offsets, Conv2dTapRowKernels.PrefersTransposedWeightGrad(_layer.Geometry));
        }

        return _weightGrad[0];
    }

    /// <summary>What a training step adds once per layer, whatever the batch: the weight transforms for both passes.</summary>
    [Benchmark(Description = "Winograd weight transforms per step")]
    public void WeightTransforms()
    {
        _forward.TransformWeight(_layer.Weight, flippedTranspose: false);
        _inputGrad.TransformWeight(_layer.Weight, flippedTranspose: true);
    }
}
