using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The module form of every elementwise loss, over its generated <typeparamref name="TKernel"/>: torch's shape rules
/// and reduction, the per-element weight and pos_weight broadcast to the input's shape, and autograd for the input
/// and for a float target that requires grad. When the input requires grad, a reduced loss runs the fused kernel,
/// which writes the input's gradient while computing the loss; backward then only scales it by the upstream
/// gradient. L1Loss, MSELoss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss, PoissonNLLLoss,
/// SoftMarginLoss and HingeEmbeddingLoss name it with torch's options; the kernel says whether the target is
/// differentiable, a label, or refused when it requires grad.
/// </summary>
public abstract class ElementwiseLoss<TKernel> : Loss
    where TKernel : struct, IElementwiseLossKernel
{
    private readonly float _parameter;
    private readonly int _flags;

    /// <param name="reduction">How the terms are reduced.</param>
    /// <param name="parameter">The loss's scalar option (beta, delta), passed to the kernel.</param>
    /// <param name="flags">The loss's bool options, bit k for the k-th of its declaration.</param>
    protected ElementwiseLoss(Reduction reduction, float parameter = 0f, int flags = 0)
        : this(reduction, parameter, flags, allowsBatchMean: false)
    {
    }

    private protected ElementwiseLoss(Reduction reduction, float parameter, int flags, bool allowsBatchMean)
        : base(reduction, allowsBatchMean)
    {
        _parameter = parameter;
        _flags = flags;
    }

    /// <summary>torch's name of the loss function, quoted when it refuses a target that requires grad.</summary>
    protected virtual string FunctionName => GetType().Name;

    /// <summary>The per-element weight, broadcast to the input's shape; null when the loss has none.</summary>
    protected virtual Tensor? WeightTensor => null;

    /// <summary>BCEWithLogits' pos_weight, broadcast along the class (last) dimension; null when absent.</summary>
    protected virtual Tensor? PosWeightTensor => null;

    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input, Tensor target)
    {
        if (!input.SameShape(target))
        {
            throw new ArgumentException(ShapeMismatchMessage(input.ShapeText, target.ShapeText), nameof(target));
        }

        // Only a differentiable target joins the graph; a label target never gets a gradient.
        bool targetInGraph = TKernel.Target == LossTarget.Differentiable;
        if (TKernel.Target == LossTarget.NotDifferentiable && target.RequiresGrad && arena.IsRecording)
        {
            throw new ArgumentException(
                $"The function '{FunctionName}' is not differentiable with respect to argument 'target'. This input cannot have requires_grad True.",
                nameof(target));
        }

        LossNode node = arena.Claim<LossNode>(this, input.Shape);
        Tensor output = node.Plan(input.Shape, Reduction);
        var options = node.Options(this, input);
        bool record = targetInGraph ? arena.WantsGraph(input, target) : arena.WantsGraph(input);
        bool fused = record && input.RequiresGrad && Reduction != Reduction.None;
        Reduction kernelReduction = KernelReduction(Reduction);
        if (Reduction == Reduction.None)
        {
            TKernel.ForwardNone(input.Data, target.Data, output.Data, options);
        }
        else if (fused)
        {
            output.Data[0] = BatchScale(input) * TKernel.ForwardBackward(input.Data, target.Data, node.Gradient(input.Length), kernelReduction, options);
        }
        else
        {
            output.Data[0] = BatchScale(input) * TKernel.Forward(input.Data, target.Data, kernelReduction, options);
        }

        if (record)
        {
            node.Set(input, target);
            arena.Record(node, input, targetInGraph ? target : null);
        }

        return output;
    }

    /// <summary>The kernels know sum and mean; batchmean is their sum, divided by the batch here.</summary>
    private static Reduction KernelReduction(Reduction reduction) =>
        reduction == Reduction.BatchMean ? Reduction.Sum : reduction;

    /// <summary>1 / batch size for batchmean (a 0-dim input is its own batch, as torch's), 1 otherwise.</summary>
    private float BatchScale(Tensor input) =>
        Reduction == Reduction.BatchMean && input.Rank > 0 ? 1f / input.Shape[0] : 1f;

    /// <summary>
    /// For the losses torch computes by broadcasting without a check of its own: the shapes and what to do. FastLoss
    /// takes the target in the input's shape and does not broadcast it.
    /// </summary>
    protected string TargetShapeMessage(string inputShape, string targetShape) =>
        $"{FunctionName}: the target's shape ({targetShape}) differs from the input's ({inputShape}); expand the target to the input's shape";

    /// <summary>Torch's message when input and target shapes differ (each loss words it as torch does).</summary>
    protected virtual string ShapeMismatchMessage(string inputShape, string targetShape) =>
        $"Using a target size ({targetShape}) that is different to the input size ({inputShape}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.";

    /// <summary>One call: the input and target, the fused input gradient, and the broadcast weights.</summary>
    private sealed class LossNode : Node
    {
        private Tensor? _input, _target;
        private float[] _gradient = [];
        private float[] _scratch = [];
        private float[] _weight = [];
        private float[] _posWeight = [];

        public Tensor Plan(ReadOnlySpan<int> inputShape, Reduction reduction) =>
            PlanOutput(reduction == Reduction.None ? inputShape : []);

        /// <summary>The kernel's options for a call on <paramref name="input"/>: the weights broadcast to its shape.</summary>
        [HotPath]
        public ElementwiseLossOptions Options(ElementwiseLoss<TKernel> loss, Tensor input) => new()
        {
            Parameter = loss._parameter,
            Flags = loss._flags,
            Weight = Broadcast(loss.WeightTensor, input, ref _weight),
            PosWeight = Broadcast(loss.PosWeightTensor, input, ref _posWeight),
        };

        public Span<float> Gradient(int length) => Buffer(ref _gradient, length);

        [HotPath]
        public void Set(Tensor input, Tensor target)
        {
            _input = input;
            _target = target;
        }

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            var loss = (ElementwiseLoss<TKernel>)Owner!;
            Tensor input = _input!, target = _target!;
            ElementwiseLossOptions options = Options(loss, input);
            ReadOnlySpan<float> upstream = OutputGrad;
            bool perElement = loss.Reduction == Reduction.None;
            Reduction kernelReduction = KernelReduction(loss.Reduction);
            float reducedUpstream = perElement ? 0f : upstream[0] * loss.BatchScale(input);

            Span<float> inputGrad = BackwardPass.GradientFor(input, out bool accumulate);
            if (!inputGrad.IsEmpty)
            {
                if (!perElement)
                {
                    // The fused forward wrote d(loss)/d(input); the chain rule scales it by the upstream gradient.
                    ReadOnlySpan<float> gradient = _gradient.AsSpan(0, input.Length);
                    if (accumulate)
                    {
                        TensorPrimitives.MultiplyAdd(gradient, reducedUpstream, inputGrad, inputGrad);
                    }
                    else
                    {
                        TensorPrimitives.Multiply(gradient, reducedUpstream, inputGrad);
                    }
                }
                else
                {
                    Span<float> destination = accumulate ? Buffer(ref _scratch, input.Length) : inputGrad;
                    TKernel.BackwardNone(input.Data, target.Data, upstream, destination, options);
                    AddIf(accumulate, destination, inputGrad);
                }
            }

            if (TKernel.Target != LossTarget.Differentiable)
            {
                return;
            }

            Span<float> targetGrad = BackwardPass.GradientFor(target, out accumulate);
            if (!targetGrad.IsEmpty)
            {
                Span<float> destination = accumulate ? Buffer(ref _scratch, target.Length) : targetGrad;
                if (perElement)
                {
                    TKernel.TargetBackwardNone(input.Data, target.Data, upstream, destination, options);
                }
                else
                {
                    TKernel.TargetBackward(input.Data, target.Data, destination, kernelReduction, reducedUpstream, options);
                }

                AddIf(accumulate, destination, targetGrad);
            }
        }

        private static void AddIf(bool accumulate, ReadOnlySpan<float> computed, Span<float> gradient)
        {
            if (accumulate)
            {
                TensorPrimitives.Add(gradient, computed, gradient);
            }
        }

        private static Span<float> Buffer(ref float[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new float[length];
            }

            return buffer.AsSpan(0, length);
        }

        /// <summary>The operand expanded to the input's shape in this node's buffer; empty when there is none.</summary>
        private static ReadOnlySpan<float> Broadcast(Tensor? operand, Tensor input, ref float[] buffer)
        {
            if (operand is null)
            {
                return default;
            }

            if (operand.SameShape(input))
            {
                return operand.Values;
            }

            if (buffer.Length != input.Length)
            {
                buffer = new float[input.Length];
            }

            Broadcasting.Expand(operand, input.Shape, buffer);
            return buffer;
        }
    }
}
