using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.MarginRankingLoss(margin): max(0, -y (x1 - x2) + margin) per element, for targets of 1 (x1 should rank
/// higher) and -1. Both inputs and a float target that requires grad get torch's gradients. Call
/// <see cref="Forward(Tensor, Tensor, Tensor)"/>: the loss takes two inputs and a target.
/// </summary>
public sealed class MarginRankingLoss : Loss
{
    public MarginRankingLoss(float margin = 0f, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        Margin = margin;
    }

    /// <summary>The margin by which the higher-ranked input should lead.</summary>
    public float Margin { get; }

    /// <summary>The loss of ranking <paramref name="input1"/> against <paramref name="input2"/> as <paramref name="target"/> says.</summary>
    [HotPath]
    public Tensor Forward(Tensor input1, Tensor input2, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input1);
        ArgumentNullException.ThrowIfNull(input2);
        ArgumentNullException.ThrowIfNull(target);
        GraphArena arena = GraphArena.Current;
        arena.Enter();
        try
        {
            return arena.Result(Compute(arena, input1, input2, target));
        }
        finally
        {
            arena.Leave();
        }
    }

    /// <summary>torch's message for <c>loss(input, target)</c> on a loss of three arguments.</summary>
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        throw new ArgumentException("forward() missing 1 required positional argument: 'target'", nameof(target));

    [HotPath]
    private Tensor Compute(GraphArena arena, Tensor input1, Tensor input2, Tensor target)
    {
        CheckShapes(input1, input2, target);
        RankingNode node = arena.Claim<RankingNode>(this, input1.Shape);
        Tensor output = node.Plan(input1.Shape, Reduction);
        bool record = arena.WantsGraph(input1, input2, target);
        if (!record)
        {
            if (Reduction == Reduction.None)
            {
                MarginRanking.ForwardNone(input1.Data, input2.Data, target.Data, output.Data, Margin);
            }
            else
            {
                output.Data[0] = MarginRanking.Forward(input1.Data, input2.Data, target.Data, Reduction, Margin);
            }

            return output;
        }

        // The gradients are written with the loss, so backward only scales them and reads no input.
        int n = input1.Length;
        Span<float> gradient1 = node.Gradient1(n), gradient2 = node.Gradient2(n);
        if (Reduction == Reduction.None)
        {
            MarginRanking.ForwardNone(input1.Data, input2.Data, target.Data, output.Data, Margin);
            MarginRanking.Backward(input1.Data, input2.Data, target.Data, gradient1, gradient2, Reduction.Sum, 1f, Margin);
        }
        else
        {
            output.Data[0] = MarginRanking.ForwardBackward(input1.Data, input2.Data, target.Data, gradient1, gradient2, Reduction, Margin);
        }

        bool targetGradient = target.RequiresGrad;
        if (targetGradient)
        {
            MarginRanking.TargetBackward(input1.Data, input2.Data, target.Data, node.TargetGradient(n), Reduction == Reduction.None ? Reduction.Sum : Reduction, 1f, Margin);
        }

        node.Set(input1, input2, target, targetGradient);
        RecordLinks(arena, node, input1, input2, target);
        return output;
    }

    /// <summary>A node links two producers; the tensors that came out of recorded operations are the ones to link.</summary>
    private static void RecordLinks(GraphArena arena, RankingNode node, Tensor input1, Tensor input2, Tensor target)
    {
        if (target.GradFn is null)
        {
            arena.Record(node, input1, input2);
        }
        else if (input1.GradFn is null)
        {
            arena.Record(node, target, input2);
        }
        else if (input2.GradFn is null)
        {
            arena.Record(node, input1, target);
        }
        else
        {
            throw new NotSupportedException(
                "MarginRankingLoss: input1, input2 and target all come out of recorded operations, and a graph node links two; detach the target (a ±1 label) or compute one of them under GradMode.NoGrad()");
        }
    }

    private static void CheckShapes(Tensor input1, Tensor input2, Tensor target)
    {
        if (input1.Rank != input2.Rank || input1.Rank != target.Rank)
        {
            throw new ArgumentException(
                $"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: {input1.ShapeText}, input2: {input2.ShapeText}, target: {target.ShapeText} ",
                nameof(target));
        }

        if (!input1.SameShape(input2) || !input1.SameShape(target))
        {
            throw new ArgumentException(
                $"margin_ranking_loss: input1 ({input1.ShapeText}), input2 ({input2.ShapeText}) and target ({target.ShapeText}) differ in shape; expand them to one shape",
                nameof(target));
        }
    }

    /// <summary>One call: the gradients written with the loss, and the tensors they belong to.</summary>
    private sealed class RankingNode : Node
    {
        private Tensor? _input1, _input2, _target;
        private bool _targetGradient;
        private float[] _gradient1 = [];
        private float[] _gradient2 = [];
        private float[] _targetGrad = [];

        public Tensor Plan(ReadOnlySpan<int> shape, Reduction reduction) =>
            PlanOutput(reduction == Reduction.None ? shape : []);

        public Span<float> Gradient1(int length) => Buffer(ref _gradient1, length);

        public Span<float> Gradient2(int length) => Buffer(ref _gradient2, length);

        public Span<float> TargetGradient(int length) => Buffer(ref _targetGrad, length);

        [HotPath]
        public void Set(Tensor input1, Tensor input2, Tensor target, bool targetGradient)
        {
            _input1 = input1;
            _input2 = input2;
            _target = target;
            _targetGradient = targetGradient;
        }

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            bool perElement = ((Loss)Owner!).Reduction == Reduction.None;
            ReadOnlySpan<float> upstream = OutputGrad;
            int n = _input1!.Length;
            Scale(_input1, _gradient1.AsSpan(0, n), upstream, perElement);
            Scale(_input2!, _gradient2.AsSpan(0, n), upstream, perElement);
            if (_targetGradient)
            {
                Scale(_target!, _targetGrad.AsSpan(0, n), upstream, perElement);
            }
        }

        /// <summary>The chain rule: the stored gradient times the upstream gradient, into (or added to) the tensor's grad.</summary>
        private static void Scale(Tensor tensor, ReadOnlySpan<float> gradient, ReadOnlySpan<float> upstream, bool perElement)
        {
            Span<float> destination = BackwardPass.GradientFor(tensor, out bool accumulate);
            if (destination.IsEmpty)
            {
                return;
            }

            if (perElement)
            {
                if (accumulate)
                {
                    TensorPrimitives.MultiplyAdd(gradient, upstream, destination, destination);
                }
                else
                {
                    TensorPrimitives.Multiply(gradient, upstream, destination);
                }
            }
            else if (accumulate)
            {
                TensorPrimitives.MultiplyAdd(gradient, upstream[0], destination, destination);
            }
            else
            {
                TensorPrimitives.Multiply(gradient, upstream[0], destination);
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
    }
}
