using FastLoss.Autograd;
using FastLoss.Generation;
using FastLoss.Kernels;
using FastLoss.Threading;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.MaxPool2d(kernel_size, stride = kernel_size) on (N, C, H, W) or (C, H, W): output side
/// floor((H - k) / s) + 1. The gradient goes to the first maximum of each window in row-major order (the last NaN
/// if the window holds NaN, which wins as in torch); overlapping windows add. The winners' indices are kept in a
/// buffer planned with the output. Planes are split over <see cref="ComputePool"/>'s threads.
/// </summary>
public sealed class MaxPool2d : Module
{
    // Below this many input elements per part, splitting costs more than it saves.
    private const int MinElementsPerPart = 1 << 15;

    private readonly PoolWork _work;
    private int[] _plannedShape = [];
    private Tensor? _output;

    public MaxPool2d(int kernelSize, int? stride = null)
    {
        int s = stride ?? kernelSize;
        if (kernelSize <= 0 || s <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(kernelSize), $"max_pool2d: kernel_size and stride must be greater than zero, but got kernel_size={kernelSize} stride={s}");
        }

        KernelSize = kernelSize;
        Stride = s;
        _work = new PoolWork(this);
    }

    public int KernelSize { get; }

    public int Stride { get; }

    [HotPath]
    protected internal override void ZeroParameterGrads()
    {
        // No parameters.
    }

    [HotPath]
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if ((input.Rank != 3 && input.Rank != 4) || input.Length == 0)
        {
            throw new ArgumentException("non-empty 3D or 4D (batch mode) tensor expected for input", nameof(input));
        }

        Tensor output = Plan(input);
        bool record = Tape.IsRecording && input.RequiresGrad;
        _work.Run(input, output, backward: false);
        output.RequiresGrad = record;
        if (record)
        {
            Tape.Record(_work);
        }

        return output;
    }

    private Tensor Plan(Tensor input)
    {
        if (_output is not null && input.Shape.SequenceEqual(_plannedShape))
        {
            return _output;
        }

        int channels = input.Shape[^3], height = input.Shape[^2], width = input.Shape[^1];
        int outHeight = height < KernelSize ? 0 : ((height - KernelSize) / Stride) + 1;
        int outWidth = width < KernelSize ? 0 : ((width - KernelSize) / Stride) + 1;
        if (outHeight < 1 || outWidth < 1)
        {
            throw new ArgumentException(
                $"Given input size: ({channels}x{height}x{width}). Calculated output size: ({channels}x{outHeight}x{outWidth}). Output size is too small",
                nameof(input));
        }

        int planes = input.Rank == 4 ? input.Shape[0] * channels : channels;
        _output = input.Rank == 4
            ? Tensor.Zeros(input.Shape[0], channels, outHeight, outWidth)
            : Tensor.Zeros(channels, outHeight, outWidth);
        _work.Plan(planes, height, width, outHeight * outWidth);
        _plannedShape = input.Shape.ToArray();
        return _output;
    }

    /// <summary>Forward and backward over runs of planes, one run per part; also the recorded backward node.</summary>
    private sealed class PoolWork(MaxPool2d layer) : IParallelWork, IBackwardNode
    {
        private int _planes, _height, _width, _outPlane;
        private int[] _argmax = [];
        private Tensor? _input;
        private Tensor? _output;
        private bool _backward;

        public Tensor Output => _output!;

        public void Plan(int planes, int height, int width, int outPlane)
        {
            _planes = planes;
            _height = height;
            _width = width;
            _outPlane = outPlane;
            _argmax = new int[planes * outPlane];
        }

        [HotPath]
        public void Run(Tensor input, Tensor output, bool backward)
        {
            _input = input;
            _output = output;
            _backward = backward;
            long elements = (long)_planes * _height * _width;
            int parts = ComputePool.CanRunInParallel
                ? (int)Math.Clamp(elements / MinElementsPerPart, 1, Math.Min(ComputePool.ThreadCount, _planes))
                : 1;
            if (parts == 1)
            {
                Execute(0, 1);
            }
            else
            {
                ComputePool.Run(this, parts);
            }
        }

        [HotPath]
        public void Backward()
        {
            if (_output!.Grad is not null && _input!.RequiresGrad)
            {
                _input.GetOrCreateGrad();
                Run(_input, _output, backward: true);
            }
        }

        [HotPath]
        public void Execute(int part, int partCount)
        {
            int first = (int)((long)_planes * part / partCount);
            int end = (int)((long)_planes * (part + 1) / partCount);
            int planes = end - first;
            int planeSize = _height * _width;
            Span<int> argmax = _argmax.AsSpan(first * _outPlane, planes * _outPlane);
            if (_backward)
            {
                MaxPool2dKernels.Backward(
                    _output!.Grad!.Span.Slice(first * _outPlane, planes * _outPlane), argmax, planes, _height, _width,
                    _input!.Grad!.Span.Slice(first * planeSize, planes * planeSize));
            }
            else
            {
                MaxPool2dKernels.Forward(
                    _input!.Span.Slice(first * planeSize, planes * planeSize), planes, _height, _width,
                    layer.KernelSize, layer.KernelSize, layer.Stride, layer.Stride,
                    _output!.Span.Slice(first * _outPlane, planes * _outPlane), argmax);
            }
        }
    }
}
