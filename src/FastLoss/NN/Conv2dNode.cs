using FastLoss.Autograd;
using FastLoss.Generation;
using FastLoss.Kernels;
using FastLoss.Threading;

namespace FastLoss.NN;

/// <summary>
/// One call of a <see cref="Conv2d"/>: the forward and backward passes over a batch, split into at most
/// <see cref="MaxParts"/> runs of images that the pool's threads take as they come. The split depends only on the
/// batch size, and weight gradients are summed per run and then in run order, so results are the same for any
/// thread count. The plan (geometry, algorithm choices, per-run buffers) is made once per input shape; the weight's
/// packed forms come from the layer's <see cref="Conv2dWeightCache"/>.
/// </summary>
internal sealed class Conv2dNode : Node, IParallelWork
{
    private const int MaxParts = 16;

    private Conv2dGeometry _geometry;
    private int _images;
    private int _parts;
    private int _scratchSize;
    private bool _transposedConvolution, _transposedWeightGrad;
    private int[] _tapOffsets = [], _transposedTapOffsets = [];
    private WinogradConvolution? _winogradForward, _winogradInputGrad;
    private float[][] _weightGradParts = [];
    private float[][] _biasGradParts = [];

    // The call: its input and bias, and the weight forms the products read.
    private Tensor? _input;
    private Tensor? _bias;
    private float[] _forwardWeight = [];
    private float[] _inputGradWeight = [];

    // The backward pass under way.
    private bool _backward;
    private GradientTarget _inputGrad, _weightGradTarget, _biasGradTarget;
    private bool _weightGradWanted, _biasGradWanted;

    private Conv2d Layer => (Conv2d)Owner!;

    public void Plan(in Conv2dGeometry geometry, int images, bool batched)
    {
        _geometry = geometry;
        _images = images;
        _parts = Math.Clamp(images, 1, MaxParts);
        PlanOutput(batched
            ? [images, geometry.OutChannels, geometry.OutHeight, geometry.OutWidth]
            : [geometry.OutChannels, geometry.OutHeight, geometry.OutWidth]);

        // Winograd where it is faster (see WinogradConvolution.Prefers): the input gradient is the forward
        // convolution of the transposed geometry.
        _winogradForward = WinogradConvolution.Prefers(geometry) ? new WinogradConvolution(geometry) : null;
        _winogradInputGrad = geometry.HasTransposedConvolution && WinogradConvolution.Prefers(geometry.Transposed)
            ? new WinogradConvolution(geometry.Transposed)
            : null;

        // Otherwise tap rows where the vertical stride is 1, and im2col (see Conv2dTapRowKernels).
        _transposedConvolution = _winogradInputGrad is null && Conv2dTapRowKernels.PrefersTransposedConvolution(geometry);
        _transposedWeightGrad = geometry.HasTapRows && Conv2dTapRowKernels.PrefersTransposedWeightGrad(geometry);
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
            inputGradScratch = transposed.TapRowsScratchSize;
        }

        int forwardScratch = _winogradForward?.ScratchSize ?? 0;
        _scratchSize = Math.Max(
            Math.Max(geometry.HasTapRows ? geometry.TapRowsScratchSize : geometry.ScratchSize, inputGradScratch), forwardScratch);
        ThreadScratch.Reserve(_scratchSize);

        // Weight gradients are summed per run of images (and kept transposed when that layout is faster), then
        // added to the parameter's gradient in run order.
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
    public void Forward(Tensor input, Tensor? bias)
    {
        _input = input;
        _bias = bias;
        _backward = false;
        Conv2dWeightCache weights = Layer.Weights;
        _forwardWeight = _winogradForward is not null ? weights.Winograd(_winogradForward) : weights.Packed();
        Dispatch();
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        Conv2d layer = Layer;
        _inputGrad = GradientTarget.For(_input!);
        GradientTarget weightGrad = GradientTarget.For(layer.Weight);
        GradientTarget biasGrad = _bias is null ? default : GradientTarget.For(_bias);
        _weightGradWanted = !weightGrad.IsEmpty;
        _biasGradWanted = !biasGrad.IsEmpty;
        if (!_inputGrad.IsEmpty)
        {
            Conv2dWeightCache weights = layer.Weights;
            _inputGradWeight = _winogradInputGrad is not null ? weights.WinogradFlipped(_winogradInputGrad)
                : _transposedConvolution ? weights.PackedFlipped(_geometry)
                : weights.PackedTransposed();
        }

        // With one run and no transposed layout, the run adds straight into the weight's gradient.
        if (_weightGradWanted && _weightGradParts.Length == 0 && !weightGrad.Accumulate)
        {
            weightGrad.Span.Clear();
        }

        if (_biasGradWanted && _biasGradParts.Length == 0 && !biasGrad.Accumulate)
        {
            biasGrad.Span.Clear();
        }

        _weightGradTarget = weightGrad;
        _biasGradTarget = biasGrad;
        _backward = true;
        try
        {
            Dispatch();
        }
        finally
        {
            _backward = false;
        }

        if (_weightGradWanted && _transposedWeightGrad)
        {
            // The parts are summed in their own (transposed) layout, then turned once into the gradient's.
            float[] sum = _weightGradParts[0];
            for (int part = 1; part < _weightGradParts.Length; part++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(sum, _weightGradParts[part], sum);
            }

            AddTransposed(sum, weightGrad.Span, weightGrad.Accumulate);
        }
        else if (_weightGradWanted)
        {
            SumParts(_weightGradParts, weightGrad.Span, weightGrad.Accumulate);
        }

        if (_biasGradWanted)
        {
            SumParts(_biasGradParts, biasGrad.Span, biasGrad.Accumulate);
        }

        _inputGrad = default;
        _weightGradTarget = default;
        _biasGradTarget = default;
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

    /// <summary>Adds the per-run sums to the gradient in run order (the first one is copied when nothing is there).</summary>
    [HotPath]
    private static void SumParts(float[][] parts, Span<float> gradient, bool accumulate)
    {
        for (int part = 0; part < parts.Length; part++)
        {
            if (part == 0 && !accumulate)
            {
                parts[0].AsSpan().CopyTo(gradient);
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Add(gradient, parts[part], gradient);
            }
        }
    }

    /// <summary>Adds (or writes) a PatchSize x OutC part to the OutC x PatchSize weight gradient.</summary>
    [HotPath]
    private void AddTransposed(ReadOnlySpan<float> part, Span<float> weightGrad, bool accumulate)
    {
        int outChannels = _geometry.OutChannels, patch = _geometry.PatchSize;
        for (int o = 0; o < outChannels; o++)
        {
            Span<float> row = weightGrad.Slice(o * patch, patch);
            for (int k = 0; k < patch; k++)
            {
                float value = part[(k * outChannels) + o];
                row[k] = accumulate ? row[k] + value : value;
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
        ReadOnlySpan<float> input = _input!.Data;
        Span<float> output = Output.Data;
        ReadOnlySpan<float> weight = Layer.Weight.Data;
        ReadOnlySpan<float> bias = _bias is null ? default : _bias.Data;
        Span<float> scratch = ThreadScratch.Get(_scratchSize);
        fixed (float* packedWeight = _forwardWeight, x = input, y = output, planes = scratch)
        fixed (int* tapOffsets = _tapOffsets)
        {
            for (int n = first; n < end; n++)
            {
                if (_winogradForward is not null)
                {
                    _winogradForward.Run(x + ((nint)n * g.InputSize), y + ((nint)n * g.OutputSize), bias, accumulate: false, planes, _forwardWeight);
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
        ReadOnlySpan<float> input = _input!.Data;
        ReadOnlySpan<float> outputGrad = OutputGrad;
        ReadOnlySpan<float> weight = Layer.Weight.Data;
        Span<float> scratch = ThreadScratch.Get(_scratchSize);
        Span<float> weightGrad = !_weightGradWanted ? default : _weightGradParts.Length > 0 ? _weightGradParts[part] : _weightGradTarget.Span;
        Span<float> biasGrad = !_biasGradWanted ? default : _biasGradParts.Length > 0 ? _biasGradParts[part] : _biasGradTarget.Span;
        if (_weightGradParts.Length > 0)
        {
            weightGrad.Clear();
        }

        if (_biasGradParts.Length > 0)
        {
            biasGrad.Clear();
        }

        Span<float> inputGrad = _inputGrad.Span;
        bool accumulateInput = _inputGrad.Accumulate;
        fixed (float* x = input, dyAll = outputGrad, dw = weightGrad, dxAll = inputGrad, planes = scratch)
        fixed (float* packedWeightT = _inputGradWeight, packedFlipped = _inputGradWeight)
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

                if (inputGrad.IsEmpty)
                {
                    continue;
                }

                if (_winogradInputGrad is not null)
                {
                    // Written, or added to, directly: no clearing pass over the image's gradient.
                    _winogradInputGrad.Run(
                        dyAll + ((nint)n * g.OutputSize), dxAll + ((nint)n * g.InputSize), default, accumulateInput, planes, _inputGradWeight);
                    continue;
                }

                if (_transposedConvolution)
                {
                    // One product per image, written or added to directly.
                    Conv2dTapRowKernels.AccumulateInputGrad(
                        g, dyAll + ((nint)n * g.OutputSize), planes, dxAll + ((nint)n * g.InputSize), packedFlipped, transposedTapOffsets, accumulateInput);
                    continue;
                }

                // col2im adds overlapping patches, so a first gradient starts from a cleared image.
                Span<float> imageGrad = inputGrad.Slice(n * g.InputSize, g.InputSize);
                if (!accumulateInput)
                {
                    imageGrad.Clear();
                }

                Conv2dKernels.AccumulateInputGrad(g, weight, dy, scratch, imageGrad, packedWeightT);
            }
        }
    }
}
