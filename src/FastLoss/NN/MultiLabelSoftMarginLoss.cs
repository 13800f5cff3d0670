using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.MultiLabelSoftMarginLoss(weight, reduction): per sample, the mean over its classes (the last dimension)
/// of -(y log_sigmoid(x) + (1 - y) log_sigmoid(-x)), each class's term times its weight; reduction none gives one
/// loss per sample (the input's shape without its last dimension). The input and a float target that requires grad
/// get torch's gradients.
/// </summary>
public sealed class MultiLabelSoftMarginLoss : Loss
{
    /// <param name="weight">A weight per class (1-D, the input's last dimension), or null. Read at every call.</param>
    /// <param name="reduction">None, Mean or Sum.</param>
    public MultiLabelSoftMarginLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        Weight = weight;
    }

    /// <summary>The weight of each class, or null.</summary>
    public Tensor? Weight { get; }

    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input, Tensor target)
    {
        if (input.Rank == 0 || !input.SameShape(target))
        {
            throw new ArgumentException(
                $"multilabel_soft_margin_loss: the input ({input.ShapeText}) needs a class dimension and the target ({target.ShapeText}) its shape",
                nameof(target));
        }

        ReadOnlySpan<int> shape = input.Shape;
        int classes = shape[^1];
        int samples = TensorShape.ElementCount(shape[..^1]);
        if (Weight is not null && Weight.Length != classes)
        {
            throw new ArgumentException(
                $"The size of tensor a ({Weight.Length}) must match the size of tensor b ({classes}) at non-singleton dimension {shape.Length - 1}",
                nameof(target));
        }

        SoftMarginNode node = arena.Claim<SoftMarginNode>(this, shape);
        Tensor output = node.Plan(Reduction == Reduction.None ? shape[..^1] : []);
        int n = input.Length;
        ReadOnlySpan<float> weight = Weight is null ? default : node.ExpandWeight(Weight.Data, samples, classes);
        bool record = arena.WantsGraph(input, target);
        if (Reduction == Reduction.None)
        {
            Span<float> terms = node.Terms(n);
            MultiLabelSoftMargin.ForwardNone(input.Data, target.Data, terms, weight);
            for (int s = 0; s < samples; s++)
            {
                float sum = 0f;
                for (int c = 0; c < classes; c++)
                {
                    sum += terms[(s * classes) + c];
                }

                output.Data[s] = sum / classes;
            }

            if (record)
            {
                MultiLabelSoftMargin.Backward(input.Data, target.Data, node.InputGradient(n), Reduction.Sum, 1f, weight);
            }
        }
        else
        {
            // The mean over samples of per-sample means is the mean over all terms; the sum is the sum over C.
            float scale = Reduction == Reduction.Mean ? 1f / n : 1f / classes;
            double total = record
                ? MultiLabelSoftMargin.ForwardBackward(input.Data, target.Data, node.InputGradient(n), Reduction.Sum, weight)
                : MultiLabelSoftMargin.Forward(input.Data, target.Data, Reduction.Sum, weight);
            output.Data[0] = (float)(total * scale);
        }

        if (record)
        {
            if (target.RequiresGrad)
            {
                MultiLabelSoftMargin.TargetBackward(input.Data, target.Data, node.TargetGradient(n), Reduction.Sum, 1f, weight);
            }

            node.Set(input, target, classes, target.RequiresGrad);
            arena.Record(node, input, target);
        }

        return output;
    }

    /// <summary>One call: the terms' gradients (written with the loss), the expanded weight, and the tensors.</summary>
    private sealed class SoftMarginNode : Node
    {
        private Tensor? _input, _target;
        private int _classes;
        private bool _targetGradient;
        private float[] _terms = [];
        private float[] _weight = [];
        private float[] _inputGrad = [];
        private float[] _targetGrad = [];

        public Tensor Plan(ReadOnlySpan<int> shape) => PlanOutput(shape);

        public Span<float> Terms(int length) => ThreeInputGraph.Buffer(ref _terms, length);

        public Span<float> InputGradient(int length) => ThreeInputGraph.Buffer(ref _inputGrad, length);

        public Span<float> TargetGradient(int length) => ThreeInputGraph.Buffer(ref _targetGrad, length);

        /// <summary>The class weights repeated for every sample, as torch broadcasts them.</summary>
        [HotPath]
        public ReadOnlySpan<float> ExpandWeight(ReadOnlySpan<float> weight, int samples, int classes)
        {
            Span<float> expanded = ThreeInputGraph.Buffer(ref _weight, samples * classes);
            for (int s = 0; s < samples; s++)
            {
                weight.CopyTo(expanded.Slice(s * classes, classes));
            }

            return expanded;
        }

        [HotPath]
        public void Set(Tensor input, Tensor target, int classes, bool targetGradient)
        {
            _input = input;
            _target = target;
            _classes = classes;
            _targetGradient = targetGradient;
        }

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            var loss = (Loss)Owner!;
            int n = _input!.Length;
            Scale(_input, _inputGrad.AsSpan(0, n), loss.Reduction);
            if (_targetGradient)
            {
                Scale(_target!, _targetGrad.AsSpan(0, n), loss.Reduction);
            }
        }

        /// <summary>A term's gradient times 1/C and the upstream gradient of its sample (or the scalar's, over the reduction).</summary>
        private void Scale(Tensor tensor, ReadOnlySpan<float> gradient, Reduction reduction)
        {
            Span<float> destination = BackwardPass.GradientFor(tensor, out bool accumulate);
            if (destination.IsEmpty)
            {
                return;
            }

            ReadOnlySpan<float> upstream = OutputGrad;
            int classes = _classes;
            int samples = classes == 0 ? 0 : gradient.Length / classes;
            for (int s = 0; s < samples; s++)
            {
                // One factor per sample: its own upstream over C for none, the scalar's over the reduction otherwise.
                float factor = reduction == Reduction.None ? upstream[s] / classes
                    : reduction == Reduction.Mean ? upstream[0] / gradient.Length
                    : upstream[0] / classes;
                ReadOnlySpan<float> terms = gradient.Slice(s * classes, classes);
                Span<float> to = destination.Slice(s * classes, classes);
                if (accumulate)
                {
                    TensorPrimitives.MultiplyAdd(terms, factor, to, to);
                }
                else
                {
                    TensorPrimitives.Multiply(terms, factor, to);
                }
            }
        }
    }
}
