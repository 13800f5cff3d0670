using System.Runtime.InteropServices;
using FastLoss.Autograd;
using FastLoss.Generation;
using FastLoss.Kernels;
using FastLoss.Threading;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.Conv2d (groups = 1, dilation = 1, zero padding) on NCHW input (N, C, H, W) or one image (C, H, W).
/// Weight (out, in, k, k), bias (out). Runs of images are shared out to <see cref="ComputePool"/>'s threads,
/// each unfolding its images into its own buffer; results do not depend on the thread count. 5 x 5 kernels with
/// stride 1 and channel counts in whole vectors run the forward pass and the input gradient by Winograd's
/// F(2x2, 5x5) (<see cref="WinogradConvolution"/>). Otherwise, with stride 1 the products read tap rows in place
/// and the input gradient is a transposed convolution (<see cref="Conv2dTapRowKernels"/>), and with larger
/// strides they go through im2col (<see cref="Conv2dKernels"/>). The weight gradient is always a direct product.
/// Initialised as torch's reset_parameters.
/// </summary>
public sealed class Conv2d : Module
{
    private readonly Conv2dBatch _batch;
    private int[] _plannedShape = [];
    private Tensor? _output;

    public Conv2d(
        int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true,
        Generator? generator = null)
    {
        // Validates channels, kernel size, stride and padding (an image the size of the kernel always fits).
        _ = new Conv2dGeometry(inChannels, kernelSize, kernelSize, outChannels, kernelSize, kernelSize, stride, stride, padding, padding);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Weight = Tensor.Zeros(outChannels, inChannels, kernelSize, kernelSize);
        Weight.RequiresGrad = true;
        if (bias)
        {
            Bias = Tensor.Zeros(outChannels);
            Bias.RequiresGrad = true;
        }

        Init.DefaultLayer(Weight, Bias, generator);
        _batch = new Conv2dBatch(this);
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Stride { get; }

    public int Padding { get; }

    /// <summary>The weight (out, in, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias (out), or null.</summary>
    public Tensor? Bias { get; }

    [HotPath]
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 && input.Rank != 4)
        {
            throw new ArgumentException(
                $"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: {TensorShape.FormatList(input.Shape)}", nameof(input));
        }

        int channels = input.Shape[^3];
        if (channels != InChannels)
        {
            throw new ArgumentException(
                $"Given groups=1, weight of size {TensorShape.FormatList(Weight.Shape)}, expected input{TensorShape.FormatList(input.Shape)} to have {InChannels} channels, but got {channels} channels instead",
                nameof(input));
        }

        Tensor output = Plan(input);
        bool record = Tape.IsRecording && (input.RequiresGrad || Weight.RequiresGrad || (Bias?.RequiresGrad ?? false));
        _batch.Forward(input, output);
        output.RequiresGrad = record;
        if (record)
        {
            Tape.Record(_batch);
        }

        return output;
    }

    protected internal override void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> parameters)
    {
        parameters.Add((prefix + "weight", Weight));
        if (Bias is not null)
        {
            parameters.Add((prefix + "bias", Bias));
        }
    }

    [HotPath]
    protected internal override void ZeroParameterGrads()
    {
        Weight.ZeroGrad();
        Bias?.ZeroGrad();
    }

    /// <summary>Allocates the output and the geometry when the input shape changes (the kernel-size check runs here).</summary>
    private Tensor Plan(Tensor input)
    {
        if (_output is not null && input.Shape.SequenceEqual(_plannedShape))
        {
            return _output;
        }

        int height = input.Shape[^2], width = input.Shape[^1];
        var geometry = new Conv2dGeometry(
            InChannels, height, width, OutChannels, KernelSize, KernelSize, Stride, Stride, Padding, Padding);
        int images = input.Rank == 4 ? input.Shape[0] : 1;
        _output = input.Rank == 4
            ? Tensor.Zeros(images, OutChannels, geometry.OutHeight, geometry.OutWidth)
            : Tensor.Zeros(OutChannels, geometry.OutHeight, geometry.OutWidth);
        _batch.Plan(geometry, images);
        _plannedShape = input.Shape.ToArray();
        return _output;
    }

    /// <summary>
    /// The forward and backward passes over a batch, split into at most <see cref="MaxParts"/> runs of images
    /// that the pool's threads take as they come; also the recorded backward node. The split depends only on the
    /// batch size, and weight gradients are summed per run and then added in run order, so results are the same
    /// for any thread count.
    /// </summary>
    private sealed class Conv2dBatch(Conv2d layer) : IParallelWork, IBackwardNode
    {
        private const int MaxParts = 16;

        private Conv2dGeometry _geometry;
        private int _images;
        private int _parts;
        private Tensor? _input;
        private Tensor? _output;
        private bool _backward;
        private Tensor? _inputGrad, _weightGrad, _biasGrad;
        private float[][] _weightGradParts = [];
        private float[][] _biasGradParts = [];
        private int _scratchSize;
        private bool _transposedConvolution, _transposedWeightGrad;
        private int[] _tapOffsets = [], _transposedTapOffsets = [];
        private float[] _flippedWeight = [], _packedFlippedWeight = [];
        private WinogradConvolution? _winogradForward, _winogradInputGrad;

        // The weight and its transpose packed for the products once per call rather than once per image.
        private readonly float[] _packedWeight = GC.AllocateArray<float>(
            GemmPacking.WholeASize(layer.OutChannels, layer.Weight.Length / layer.OutChannels), pinned: true);

        private readonly float[] _packedWeightT = GC.AllocateArray<float>(
            GemmPacking.WholeASize(layer.Weight.Length / layer.OutChannels, layer.OutChannels), pinned: true);

        // The weight bits that _packedWeight was packed from, and with which tiling.
        private readonly int[] _forwardPackSource = new int[layer.Weight.Length];
        private bool _forwardPackIsCurrent, _forwardPackWide;

        public Tensor Output => _output!;

        public void Plan(in Conv2dGeometry geometry, int images)
        {
            _geometry = geometry;
            _images = images;
            _parts = Math.Clamp(images, 1, MaxParts);

            // Winograd where it is faster (see WinogradConvolution.Prefers): the input gradient is the forward
            // convolution of the transposed geometry.
            _winogradForward = WinogradConvolution.Prefers(geometry) ? new WinogradConvolution(geometry) : null;
            _winogradInputGrad = geometry.HasTransposedConvolution && WinogradConvolution.Prefers(geometry.Transposed)
                ? new WinogradConvolution(geometry.Transposed)
                : null;

            // Otherwise tap rows where the vertical stride is 1, and im2col (see Conv2dTapRowKernels).
            _transposedConvolution = _winogradInputGrad is null && Conv2dTapRowKernels.PrefersTransposedConvolution(geometry);
            _transposedWeightGrad = geometry.HasTapRows && Conv2dTapRowKernels.PrefersTransposedWeightGrad(geometry);
            _tapOffsets = [];
            _transposedTapOffsets = [];
            _flippedWeight = [];
            _packedFlippedWeight = [];
            if (geometry.HasTapRows)
            {
                _tapOffsets = GC.AllocateArray<int>(geometry.PatchSize, pinned: true);
                TapRows.FillOffsets(geometry, _tapOffsets);
            }

            int inputGradScratch = _winogradInputGrad?.ScratchSize ?? geometry.ScratchSize;
            if (_transposedConvolution)
            {
                Conv2dGeometry transposed = geometry.Transposed;
                _transposedTapOffsets = GC.AllocateArray<int>(transposed.PatchSize, pinned: true);
                TapRows.FillOffsets(transposed, _transposedTapOffsets);
                _flippedWeight = new float[geometry.WeightSize];
                _packedFlippedWeight = GC.AllocateArray<float>(
                    GemmPacking.WholeASize(geometry.InChannels, transposed.PatchSize), pinned: true);
                inputGradScratch = transposed.TapRowsScratchSize;
            }

            int forwardScratch = _winogradForward?.ScratchSize ?? 0;
            _scratchSize = Math.Max(
                Math.Max(geometry.HasTapRows ? geometry.TapRowsScratchSize : geometry.ScratchSize, inputGradScratch), forwardScratch);
            _forwardPackIsCurrent = false;

            // Weight gradients are summed per run of images (and kept transposed when that layout is faster),
            // then added to the parameter's gradient in run order.
            bool partial = _parts > 1 || _transposedWeightGrad;
            _weightGradParts = new float[partial ? _parts : 0][];
            _biasGradParts = new float[_parts > 1 ? _parts : 0][];
            for (int p = 0; p < _weightGradParts.Length; p++)
            {
                _weightGradParts[p] = new float[geometry.WeightSize];
            }

            for (int p = 0; p < _biasGradParts.Length; p++)
            {
                _biasGradParts[p] = new float[geometry.OutChannels];
            }
        }

        [HotPath]
        public void Forward(Tensor input, Tensor output)
        {
            _input = input;
            _output = output;
            _backward = false;
            PackForwardWeight();
            Dispatch();
        }

        [HotPath]
        public void Backward()
        {
            Tensor input = _input!;
            Tensor? bias = layer.Bias;
            if (_output!.Grad is null)
            {
                return;
            }

            _inputGrad = input.RequiresGrad ? input.GetOrCreateGrad() : null;
            _weightGrad = layer.Weight.RequiresGrad ? layer.Weight.GetOrCreateGrad() : null;
            _biasGrad = bias is { RequiresGrad: true } ? bias.GetOrCreateGrad() : null;
            _backward = true;
            if (_inputGrad is not null)
            {
                if (_winogradInputGrad is not null)
                {
                    _winogradInputGrad.TransformWeight(layer.Weight.Span, flippedTranspose: true);
                }
                else if (_transposedConvolution)
                {
                    PackFlippedWeight();
                }
                else
                {
                    PackWeight(transposed: true);
                }
            }

            Dispatch();
            if (_weightGrad is not null && _transposedWeightGrad)
            {
                // The parts are summed in their own (transposed) layout, then turned once into the gradient's.
                float[] sum = _weightGradParts[0];
                for (int part = 1; part < _weightGradParts.Length; part++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(sum, _weightGradParts[part], sum);
                }

                AddTransposed(sum, _weightGrad.Span);
            }

            for (int part = 0; part < _weightGradParts.Length && _weightGrad is not null && !_transposedWeightGrad; part++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(_weightGrad.Span, _weightGradParts[part], _weightGrad.Span);
            }

            for (int part = 0; part < _biasGradParts.Length && _biasGrad is not null; part++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(_biasGrad.Span, _biasGradParts[part], _biasGrad.Span);
            }

            _inputGrad = _weightGrad = _biasGrad = null;
        }

        [HotPath]
        public void Execute(int part, int partCount)
        {
            int first = (int)((long)_images * part / partCount);
            int end = (int)((long)_images * (part + 1) / partCount);
            if (_backward)
            {
                BackwardImages(part, first, end);
            }
            else
            {
                ForwardImages(first, end);
            }
        }

        /// <summary>Packs the weight (OutC x PatchSize) or its transpose as the A operand of the image products.</summary>
        [HotPath]
        private unsafe void PackWeight(bool transposed)
        {
            int patch = _geometry.PatchSize, outChannels = _geometry.OutChannels;
            fixed (float* weight = layer.Weight.Span, packed = transposed ? _packedWeightT : _packedWeight)
            {
                var operand = transposed
                    ? new GemmOperands(true, false, patch, 0, outChannels, 1f, weight, patch, null, 1, false, null, 1)
                    : new GemmOperands(false, false, outChannels, 0, patch, 1f, weight, patch, null, 1, false, null, 1);
                GemmPacking.PackWholeA(operand, packed);
            }
        }

        /// <summary>
        /// Packs the weight for the forward products (or transforms it, for Winograd) unless it is bit for bit the
        /// weight packed last time with the same tiling (inference on fixed weights). Leaving the packed copy untouched keeps it valid in every
        /// core's cache: rewriting it on each call made the other core fetch it again, which cost the batch-1
        /// forward pass on two threads about a fifth of its time.
        /// </summary>
        [HotPath]
        private void PackForwardWeight()
        {
            ReadOnlySpan<int> weightBits = MemoryMarshal.Cast<float, int>(layer.Weight.Span);
            bool wide = GemmTiling.Current.IsWide;
            if (_forwardPackIsCurrent && _forwardPackWide == wide && weightBits.SequenceEqual(_forwardPackSource))
            {
                return;
            }

            weightBits.CopyTo(_forwardPackSource);
            if (_winogradForward is not null)
            {
                _winogradForward.TransformWeight(layer.Weight.Span, flippedTranspose: false);
            }
            else
            {
                PackWeight(transposed: false);
            }

            _forwardPackWide = wide;
            _forwardPackIsCurrent = true;
        }

        /// <summary>Packs the flipped, transposed weight (C x OutC KH KW), the A operand of the input gradient's convolution.</summary>
        [HotPath]
        private unsafe void PackFlippedWeight()
        {
            Conv2dTapRowKernels.FlipTranspose(_geometry, layer.Weight.Span, _flippedWeight);
            int rows = _geometry.InChannels, columns = _geometry.WeightSize / rows;
            fixed (float* flipped = _flippedWeight, packed = _packedFlippedWeight)
            {
                GemmPacking.PackWholeA(new GemmOperands(false, false, rows, 0, columns, 1f, flipped, columns, null, 1, false, null, 1), packed);
            }
        }

        /// <summary>Adds a PatchSize x OutC part to the OutC x PatchSize weight gradient.</summary>
        [HotPath]
        private void AddTransposed(ReadOnlySpan<float> part, Span<float> weightGrad)
        {
            int outChannels = _geometry.OutChannels, patch = _geometry.PatchSize;
            for (int o = 0; o < outChannels; o++)
            {
                Span<float> row = weightGrad.Slice(o * patch, patch);
                for (int k = 0; k < patch; k++)
                {
                    row[k] += part[(k * outChannels) + o];
                }
            }
        }

        [HotPath]
        private void Dispatch()
        {
            if (_parts == 1 || !ComputePool.CanRunInParallel)
            {
                // On the calling thread; with one part, the products inside may still use the pool.
                for (int part = 0; part < _parts; part++)
                {
                    Execute(part, _parts);
                }
            }
            else
            {
                ComputePool.Run(this, _parts);
            }
        }

        [HotPath]
        private unsafe void ForwardImages(int first, int end)
        {
            Conv2dGeometry g = _geometry;
            ReadOnlySpan<float> input = _input!.Span;
            Span<float> output = _output!.Span;
            ReadOnlySpan<float> weight = layer.Weight.Span;
            ReadOnlySpan<float> bias = layer.Bias is null ? default : layer.Bias.Span;
            Span<float> scratch = ThreadScratch.Get(_scratchSize);
            fixed (float* packedWeight = _packedWeight, x = input, y = output, planes = scratch)
            fixed (int* tapOffsets = _tapOffsets)
            {
                for (int n = first; n < end; n++)
                {
                    if (_winogradForward is not null)
                    {
                        _winogradForward.Run(x + ((nint)n * g.InputSize), y + ((nint)n * g.OutputSize), bias, accumulate: false, planes);
                    }
                    else if (g.HasTapRows)
                    {
                        Conv2dTapRowKernels.Forward(
                            g, x + ((nint)n * g.InputSize), bias, planes, y + ((nint)n * g.OutputSize), packedWeight, tapOffsets);
                    }
                    else
                    {
                        Conv2dKernels.Forward(
                            g, input.Slice(n * g.InputSize, g.InputSize), weight, bias, scratch, output.Slice(n * g.OutputSize, g.OutputSize), packedWeight);
                    }
                }
            }
        }

        [HotPath]
        private unsafe void BackwardImages(int part, int first, int end)
        {
            Conv2dGeometry g = _geometry;
            ReadOnlySpan<float> input = _input!.Span;
            ReadOnlySpan<float> outputGrad = _output!.Grad!.Span;
            ReadOnlySpan<float> weight = layer.Weight.Span;
            Span<float> scratch = ThreadScratch.Get(_scratchSize);
            Span<float> weightGrad = _weightGrad is null ? default : _weightGradParts.Length > 0 ? _weightGradParts[part] : _weightGrad.Span;
            Span<float> biasGrad = _biasGrad is null ? default : _biasGradParts.Length > 0 ? _biasGradParts[part] : _biasGrad.Span;
            if (_weightGradParts.Length > 0)
            {
                weightGrad.Clear();
            }

            if (_biasGradParts.Length > 0)
            {
                biasGrad.Clear();
            }

            Span<float> inputGrad = _inputGrad is null ? default : _inputGrad.Span;
            fixed (float* x = input, dyAll = outputGrad, dw = weightGrad, dxAll = inputGrad, planes = scratch)
            fixed (float* packedWeightT = _packedWeightT, packedFlipped = _packedFlippedWeight)
            fixed (int* tapOffsets = _tapOffsets, transposedTapOffsets = _transposedTapOffsets)
            {
                for (int n = first; n < end; n++)
                {
                    ReadOnlySpan<float> dy = outputGrad.Slice(n * g.OutputSize, g.OutputSize);
                    if (!biasGrad.IsEmpty)
                    {
                        Conv2dKernels.AccumulateBiasGrad(g, dy, biasGrad);
                    }

                    if (!weightGrad.IsEmpty && g.HasTapRows)
                    {
                        Conv2dTapRowKernels.AccumulateWeightGrad(
                            g, x + ((nint)n * g.InputSize), dyAll + ((nint)n * g.OutputSize), planes, dw, tapOffsets, _transposedWeightGrad);
                    }
                    else if (!weightGrad.IsEmpty)
                    {
                        Conv2dKernels.AccumulateWeightGrad(g, input.Slice(n * g.InputSize, g.InputSize), dy, scratch, weightGrad);
                    }

                    if (!inputGrad.IsEmpty && _winogradInputGrad is not null)
                    {
                        _winogradInputGrad.Run(dyAll + ((nint)n * g.OutputSize), dxAll + ((nint)n * g.InputSize), default, accumulate: true, planes);
                    }
                    else if (!inputGrad.IsEmpty && _transposedConvolution)
                    {
                        Conv2dTapRowKernels.AccumulateInputGrad(
                            g, dyAll + ((nint)n * g.OutputSize), planes, dxAll + ((nint)n * g.InputSize), packedFlipped, transposedTapOffsets);
                    }
                    else if (!inputGrad.IsEmpty)
                    {
                        Conv2dKernels.AccumulateInputGrad(g, weight, dy, scratch, inputGrad.Slice(n * g.InputSize, g.InputSize), packedWeightT);
                    }
                }
            }
        }
    }
}
