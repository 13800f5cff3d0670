using BenchmarkDotNet.Attributes;
using FastLoss.Kernels;
using FastLoss.Threading;
using TorchSharp;

namespace FastLoss.Benchmarks;

/// <summary>
/// The measurement behind Conv2d's choice of algorithm: each of the seed CNN's three convolutions on one image,
/// pass by pass, by im2col (Conv2dKernels) and by tap rows (Conv2dTapRowKernels: the forward product and the
/// weight gradient in both layouts, the input gradient as a transposed convolution), beside TorchSharp's conv2d
/// forward and backward on the same image. One thread each. Winograd, which conv2 and conv3 take, is in
/// <see cref="WinogradConvolutionBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ConvolutionAlgorithm")]
public unsafe class ConvolutionAlgorithmBenchmarks
{
    private SeedConvolution _layer = null!;
    private Conv2dGeometry _g;
    private Conv2dGeometry _t;
    private float[] _image = [], _weight = [], _bias = [], _output = [], _outputGrad = [], _weightGrad = [], _imageGrad = [];
    private float[] _scratch = [], _packedWeight = [], _packedWeightT = [], _packedFlipped = [];
    private int[] _tapOffsets = [], _transposedOffsets = [];

    /// <summary>conv1: 3 -> 32 channels on 32 x 32; conv2: 32 -> 32 on 16 x 16; conv3: 32 -> 64 on 8 x 8 (5 x 5, padding 2).</summary>
    [Params("conv1", "conv2", "conv3")]
    public string Layer { get; set; } = "conv1";

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        ComputePool.SetThreadCount(1);
        _layer = new SeedConvolution(Layer);
        _g = _layer.Geometry;
        _t = _g.Transposed;
        (_image, _weight, _bias, _outputGrad) = (_layer.Image, _layer.Weight, _layer.Bias, _layer.OutputGrad);
        int inChannels = _g.InChannels, outChannels = _g.OutChannels;
        _output = new float[_g.OutputSize];
        _weightGrad = new float[_g.WeightSize];
        _imageGrad = new float[_g.InputSize];
        _scratch = GC.AllocateArray<float>(Math.Max(_g.ScratchSize, Math.Max(_g.TapRowsScratchSize, _t.TapRowsScratchSize)), pinned: true);
        _tapOffsets = GC.AllocateArray<int>(_g.PatchSize, pinned: true);
        _transposedOffsets = GC.AllocateArray<int>(_t.PatchSize, pinned: true);
        TapRows.FillOffsets(_g, _tapOffsets);
        TapRows.FillOffsets(_t, _transposedOffsets);
        _packedWeight = GC.AllocateArray<float>(GemmPacking.WholeASize(outChannels, _g.PatchSize), pinned: true);
        _packedWeightT = GC.AllocateArray<float>(GemmPacking.WholeASize(_g.PatchSize, outChannels), pinned: true);
        _packedFlipped = GC.AllocateArray<float>(GemmPacking.WholeASize(inChannels, _t.PatchSize), pinned: true);
        float[] flipped = new float[_g.WeightSize];
        Conv2dTapRowKernels.FlipTranspose(_g, _weight, flipped);
        fixed (float* w = _weight, f = flipped, packed = _packedWeight, packedT = _packedWeightT, packedFlipped = _packedFlipped)
        {
            GemmPacking.PackWholeA(new GemmOperands(false, false, outChannels, 0, _g.PatchSize, 1f, w, _g.PatchSize, null, 1, false, null, 1), packed);
            GemmPacking.PackWholeA(new GemmOperands(true, false, _g.PatchSize, 0, outChannels, 1f, w, _g.PatchSize, null, 1, false, null, 1), packedT);
            GemmPacking.PackWholeA(new GemmOperands(false, false, inChannels, 0, _t.PatchSize, 1f, f, _t.PatchSize, null, 1, false, null, 1), packedFlipped);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _layer.Dispose();

    [Benchmark(Baseline = true, Description = "TorchSharp conv2d forward + backward")]
    public float TorchForwardBackward() => _layer.TorchForwardBackward();

    [Benchmark(Description = "im2col: forward + both gradients")]
    public float Im2ColAllPasses() => Im2ColForward() + Im2ColWeightGrad() + Im2ColInputGrad();

    /// <summary>The three passes by tap rows as Conv2d runs them where Winograd does not apply (conv1): the weight gradient in the layout it prefers, the input gradient by im2col where the transposed convolution would waste most of its tiles (conv1's three input channels).</summary>
    [Benchmark(Description = "tap rows: forward + both gradients")]
    public float TapRowsAllPasses() =>
        TapRowsForward() + TapRowsWeightGrad(Conv2dTapRowKernels.PrefersTransposedWeightGrad(_g))
        + (Conv2dTapRowKernels.PrefersTransposedConvolution(_g) ? TransposedConvolutionInputGrad() : Im2ColInputGrad());

    [Benchmark(Description = "im2col forward")]
    public float Im2ColForward()
    {
        fixed (float* packed = _packedWeight)
        {
            Conv2dKernels.Forward(_g, _image, _weight, _bias, _scratch, _output, packed);
        }

        return _output[0];
    }

    [Benchmark(Description = "tap rows forward")]
    public float TapRowsForward()
    {
        fixed (float* x = _image, planes = _scratch, y = _output, packed = _packedWeight)
        fixed (int* offsets = _tapOffsets)
        {
            Conv2dTapRowKernels.Forward(_g, x, _bias, planes, y, packed, offsets);
        }

        return _output[0];
    }

    [Benchmark(Description = "im2col weight gradient")]
    public float Im2ColWeightGrad()
    {
        Conv2dKernels.AccumulateWeightGrad(_g, _image, _outputGrad, _scratch, _weightGrad);
        return _weightGrad[0];
    }

    [Benchmark(Description = "tap rows weight gradient, OutC x PatchSize")]
    public float TapRowsWeightGradDirect() => TapRowsWeightGrad(transposed: false);

    [Benchmark(Description = "tap rows weight gradient, PatchSize x OutC")]
    public float TapRowsWeightGradTransposed() => TapRowsWeightGrad(transposed: true);

    [Benchmark(Description = "im2col input gradient")]
    public float Im2ColInputGrad()
    {
        fixed (float* packedT = _packedWeightT)
        {
            Conv2dKernels.AccumulateInputGrad(_g, _weight, _outputGrad, _scratch, _imageGrad, packedT);
        }

        return _imageGrad[0];
    }

    [Benchmark(Description = "transposed convolution input gradient")]
    public float TransposedConvolutionInputGrad()
    {
        fixed (float* dy = _outputGrad, planes = _scratch, dx = _imageGrad, packed = _packedFlipped)
        fixed (int* offsets = _transposedOffsets)
        {
            Conv2dTapRowKernels.AccumulateInputGrad(_g, dy, planes, dx, packed, offsets);
        }

        return _imageGrad[0];
    }

    private float TapRowsWeightGrad(bool transposed)
    {
        fixed (float* x = _image, dy = _outputGrad, planes = _scratch, dw = _weightGrad)
        fixed (int* offsets = _tapOffsets)
        {
            Conv2dTapRowKernels.AccumulateWeightGrad(_g, x, dy, planes, dw, offsets, transposed);
        }

        return _weightGrad[0];
    }
}
