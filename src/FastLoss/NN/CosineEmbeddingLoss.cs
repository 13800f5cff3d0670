using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.CosineEmbeddingLoss(margin): per pair of rows, 1 - cos(x1, x2) for a target of 1 and max(0, cos - margin)
/// for -1; inputs (N, D) with a target (N), or unbatched (D) with a 0-dim target. Both inputs get torch's gradients;
/// the target is a label. Call <see cref="Forward(Tensor, Tensor, Tensor)"/>.
/// </summary>
public sealed class CosineEmbeddingLoss : Loss
{
    public CosineEmbeddingLoss(float margin = 0f, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        Margin = margin;
    }

    /// <summary>The cosine below which a dissimilar pair costs nothing.</summary>
    public float Margin { get; }

    /// <summary>The loss of the pairs of rows of <paramref name="input1"/> and <paramref name="input2"/> labelled by <paramref name="target"/>.</summary>
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
        PairNode node = arena.Claim<PairNode>(this, input1.Shape);
        Tensor output = node.Plan(target.Shape, Reduction);
        bool record = arena.WantsGraph(input1, input2);
        if (Reduction == Reduction.None)
        {
            CosineEmbedding.ForwardNone(input1.Data, input2.Data, target.Data, output.Data, Margin);
        }
        else
        {
            output.Data[0] = CosineEmbedding.Forward(input1.Data, input2.Data, target.Data, Reduction, Margin);
        }

        if (record)
        {
            node.Set(input1, input2, target);
            arena.Record(node, input1, input2);
        }

        return output;
    }

    private static void CheckShapes(Tensor input1, Tensor input2, Tensor target)
    {
        if (target.Rank > 1)
        {
            throw new ArgumentException("0D or 1D target tensor expected, multi-target not supported", nameof(target));
        }

        int expected = target.Rank + 1;
        if (input1.Rank != expected || input2.Rank != expected)
        {
            throw new ArgumentException(
                $"{target.Rank}D target tensor expects {expected}D input tensors, but found inputs with sizes {TensorShape.FormatList(input1.Shape)} and {TensorShape.FormatList(input2.Shape)}.",
                nameof(target));
        }

        for (int d = expected - 1; d >= 0; d--)
        {
            if (input1.Shape[d] != input2.Shape[d])
            {
                throw new ArgumentException($"The size of tensor a ({input1.Shape[d]}) must match the size of tensor b ({input2.Shape[d]}) at non-singleton dimension {d}", nameof(input2));
            }
        }

        if (target.Rank == 1 && target.Shape[0] != input1.Shape[0])
        {
            throw new ArgumentException($"The size of tensor a ({target.Shape[0]}) must match the size of tensor b ({input1.Shape[0]}) at non-singleton dimension 0", nameof(target));
        }
    }

    /// <summary>One call: the two inputs (pinned by the graph) and a copy of the labels, for the backward pass.</summary>
    private sealed class PairNode : Node
    {
        private Tensor? _input1, _input2;
        private float[] _target = [];
        private int _rows;
        private float[] _gradient1 = [];
        private float[] _gradient2 = [];

        public Tensor Plan(ReadOnlySpan<int> targetShape, Reduction reduction) =>
            PlanOutput(reduction == Reduction.None ? targetShape : []);

        [HotPath]
        public void Set(Tensor input1, Tensor input2, Tensor target)
        {
            _input1 = input1;
            _input2 = input2;
            _rows = target.Length;
            target.Data.CopyTo(ThreeInputGraph.Buffer(ref _target, _rows));
        }

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            var loss = (CosineEmbeddingLoss)Owner!;
            ReadOnlySpan<float> upstream = OutputGrad;
            ReadOnlySpan<float> labels = _target.AsSpan(0, _rows);
            int n = _input1!.Length;
            Span<float> gradient1 = ThreeInputGraph.Buffer(ref _gradient1, n);
            Span<float> gradient2 = ThreeInputGraph.Buffer(ref _gradient2, n);
            if (loss.Reduction == Reduction.None)
            {
                CosineEmbedding.BackwardNone(_input1.Data, _input2!.Data, labels, upstream, gradient1, gradient2, loss.Margin);
            }
            else
            {
                CosineEmbedding.Backward(_input1.Data, _input2!.Data, labels, gradient1, gradient2, loss.Reduction, upstream[0], loss.Margin);
            }

            Add(_input1, gradient1);
            Add(_input2, gradient2);
        }

        private static void Add(Tensor input, ReadOnlySpan<float> gradient)
        {
            Span<float> destination = BackwardPass.GradientFor(input, out bool accumulate);
            if (destination.IsEmpty)
            {
                return;
            }

            if (accumulate)
            {
                TensorPrimitives.Add(destination, gradient, destination);
            }
            else
            {
                gradient.CopyTo(destination);
            }
        }
    }
}
