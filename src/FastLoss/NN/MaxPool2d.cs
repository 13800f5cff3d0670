using FastLoss.Autograd;
using FastLoss.Generation;
using FastLoss.Kernels;
using FastLoss.Threading;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.MaxPool2d(kernel_size, stride = kernel_size) on (N, C, H, W) or (C, H, W): output side
/// floor((H - k) / s) + 1. The gradient goes to the first maximum of each window in row-major order (the last NaN
/// if the window holds NaN, which wins as in torch); overlapping windows add. The winners' indices are kept in a
/// buffer planned with each call's output. Planes are split over <see cref="ComputePool"/>'s threads.
/// </summary>
public sealed class MaxPool2d : Module
{
    // Below this many input elements per part, splitting costs more than it saves.
    private const int MinElementsPerPart = 1 << 14;


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
    }

    public int KernelSize { get; }

    public int Stride { get; }

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        // No parameters.
    }

    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input)
    {
        if ((input.Rank != 3 && input.Rank != 4) || input.Length == 0)
        {
            throw new ArgumentException("non-empty 3D or 4D (batch mode) tensor expected for input", nameof(input));
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

        PoolNode node = arena.Claim<PoolNode>(this, input.Shape);
        Tensor output = node.Plan(input.Shape, outHeight, outWidth);
        node.Run(input, backward: false, accumulate: false);
        if (arena.WantsGraph(input))
        {
            arena.Record(node, input);
        }

        return output;
    }

    /// <summary>One call: forward and backward over runs of planes, one run per part, and the winners' indices.</summary>
    private sealed class PoolNode : Node, IParallelWork
    {
        private int _planes, _height, _width, _outPlane;
        private int[] _argmax = [];
        private Tensor? _input;
        private bool _backward, _accumulate;
        private GradientTarget _inputGrad;

        public Tensor Plan(ReadOnlySpan<int> inputShape, int outHeight, int outWidth)
        {
            if (!IsPlanned)
            {
                int[] shape = inputShape.ToArray();
                shape[^2] = outHeight;
                shape[^1] = outWidth;
                PlanOutput(shape);
                _height = inputShape[^2];
                _width = inputShape[^1];
                _planes = inputShape.Length == 4 ? inputShape[0] * inputShape[1] : inputShape[0];
                _outPlane = outHeight * outWidth;
                _argmax = new int[_planes * _outPlane];
            }

            return Output;
        }

        [HotPath]
        public void Run(Tensor input, bool backward, bool accumulate)
        {
            _input = input;
            _backward = backward;
            _accumulate = accumulate;
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
        internal override void Backward(BackwardPass pass)
        {
            Tensor input = _input!;
            GradientTarget target = GradientTarget.For(input);
            if (target.IsEmpty)
            {
                return;
            }

            _inputGrad = target;
            Run(input, backward: true, accumulate: target.Accumulate);
            _inputGrad = default;
        }

        [HotPath]
        public void Execute(int part, int partCount)
        {
            var layer = (MaxPool2d)Owner!;
            int first = (int)((long)_planes * part / partCount);
            int end = (int)((long)_planes * (part + 1) / partCount);
            int planes = end - first;
            int planeSize = _height * _width;
            Span<int> argmax = _argmax.AsSpan(first * _outPlane, planes * _outPlane);
            if (_backward)
            {
                ReadOnlySpan<float> outputGrad = OutputGrad.Slice(first * _outPlane, planes * _outPlane);
                Span<float> inputGrad = _inputGrad.Span.Slice(first * planeSize, planes * planeSize);
                if (_accumulate)
                {
                    MaxPool2dKernels.Backward(outputGrad, argmax, planes, _height, _width, inputGrad);
                }
                else
                {
                    MaxPool2dKernels.WriteGradient(outputGrad, argmax, planes, _height, _width, inputGrad);
                }
            }
            else
            {
                MaxPool2dKernels.Forward(
                    _input!.Data.Slice(first * planeSize, planes * planeSize), planes, _height, _width,
                    layer.KernelSize, layer.KernelSize, layer.Stride, layer.Stride,
                    Output.Data.Slice(first * _outPlane, planes * _outPlane), argmax);
            }
        }
    }
}
