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
        using var call = OperationCall.Begin();
        return call.Return(Compute(call.Arena, input1, input2, target));
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
        ThreeInputGraph.Record(arena, node, input1, input2, target);
        return output;
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

        public Span<float> Gradient1(int length) => ThreeInputGraph.Buffer(ref _gradient1, length);

        public Span<float> Gradient2(int length) => ThreeInputGraph.Buffer(ref _gradient2, length);

        public Span<float> TargetGradient(int length) => ThreeInputGraph.Buffer(ref _targetGrad, length);

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
            ThreeInputGraph.AddScaled(_input1, _gradient1.AsSpan(0, n), upstream, perElement);
            ThreeInputGraph.AddScaled(_input2!, _gradient2.AsSpan(0, n), upstream, perElement);
            if (_targetGradient)
            {
                ThreeInputGraph.AddScaled(_target!, _targetGrad.AsSpan(0, n), upstream, perElement);
            }
        }
    }
}
