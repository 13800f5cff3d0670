using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.TripletMarginLoss(margin, p, eps, swap): per row, max(0, margin + d(anchor, positive) - d(anchor, negative))
/// with torch's pairwise distance ||u - v + eps||_p, p = 2 (the default) or 1; inputs (N, D) or unbatched (D). All three
/// inputs get torch's gradients. Call <see cref="Forward(Tensor, Tensor, Tensor)"/>.
/// </summary>
public sealed class TripletMarginLoss : Loss
{
    public TripletMarginLoss(float margin = 1f, float p = 2f, float eps = 1e-6f, bool swap = false, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        if (p is not (1f or 2f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"TripletMarginLoss: p = {p} is not supported; FastLoss has the norms p = 1 and p = 2");
        }

        Margin = margin;
        P = p;
        Eps = eps;
        Swap = swap;
    }

    public float Margin { get; }

    /// <summary>The norm of the distance, 1 or 2.</summary>
    public float P { get; }

    /// <summary>Added to the difference before its norm, as torch's pairwise_distance.</summary>
    public float Eps { get; }

    /// <summary>Whether the negative's distance is the smaller of its distances to the anchor and to the positive.</summary>
    public bool Swap { get; }

    /// <summary>The loss of the triplets, row by row.</summary>
    [HotPath]
    public Tensor Forward(Tensor anchor, Tensor positive, Tensor negative)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        using var call = OperationCall.Begin();
        return call.Return(Compute(call.Arena, anchor, positive, negative));
    }

    /// <summary>torch's message for a call with two arguments.</summary>
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        throw new ArgumentException("forward() missing 1 required positional argument: 'negative'", nameof(target));

    [HotPath]
    private Tensor Compute(GraphArena arena, Tensor anchor, Tensor positive, Tensor negative)
    {
        CheckShapes(anchor, positive, negative);
        int rows = anchor.Rank == 1 ? 1 : anchor.Shape[0];
        TripletNode node = arena.Claim<TripletNode>(this, anchor.Shape);
        Tensor output = node.Plan(Reduction == Reduction.None && anchor.Rank == 2 ? anchor.Shape[..1] : []);
        bool record = arena.WantsGraph(anchor, positive, negative);
        int n = anchor.Length;
        Span<float> ga = record ? node.Gradient(0, n) : default, gp = record ? node.Gradient(1, n) : default, gn = record ? node.Gradient(2, n) : default;
        bool l1 = P == 1f;
        if (Reduction == Reduction.None)
        {
            if (l1)
            {
                TripletMarginL1.ForwardNone(anchor.Data, positive.Data, negative.Data, rows, output.Data, Margin, Eps, Swap);
            }
            else
            {
                TripletMargin.ForwardNone(anchor.Data, positive.Data, negative.Data, rows, output.Data, Margin, Eps, Swap);
            }

            if (record && l1)
            {
                TripletMarginL1.Backward(anchor.Data, positive.Data, negative.Data, rows, ga, gp, gn, Reduction.Sum, 1f, Margin, Eps, Swap);
            }
            else if (record)
            {
                TripletMargin.Backward(anchor.Data, positive.Data, negative.Data, rows, ga, gp, gn, Reduction.Sum, 1f, Margin, Eps, Swap);
            }
        }
        else if (record)
        {
            output.Data[0] = l1
                ? TripletMarginL1.ForwardBackward(anchor.Data, positive.Data, negative.Data, rows, ga, gp, gn, Reduction, Margin, Eps, Swap)
                : TripletMargin.ForwardBackward(anchor.Data, positive.Data, negative.Data, rows, ga, gp, gn, Reduction, Margin, Eps, Swap);
        }
        else
        {
            output.Data[0] = l1
                ? TripletMarginL1.Forward(anchor.Data, positive.Data, negative.Data, rows, Reduction, Margin, Eps, Swap)
                : TripletMargin.Forward(anchor.Data, positive.Data, negative.Data, rows, Reduction, Margin, Eps, Swap);
        }

        if (record)
        {
            node.Set(anchor, positive, negative, rows);
            ThreeInputGraph.Record(arena, node, anchor, positive, negative);
        }

        return output;
    }

    private static void CheckShapes(Tensor anchor, Tensor positive, Tensor negative)
    {
        if (anchor.Rank != positive.Rank || anchor.Rank != negative.Rank)
        {
            throw new ArgumentException(
                $"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor {anchor.Rank}D, positive {positive.Rank}D, and negative {negative.Rank}D inputs",
                nameof(negative));
        }

        if (anchor.Rank is not (1 or 2))
        {
            throw new ArgumentException($"TripletMarginLoss: expected 1D or 2D inputs, got {anchor.Rank}D", nameof(anchor));
        }

        if (!anchor.SameShape(positive) || !anchor.SameShape(negative))
        {
            throw new ArgumentException(
                $"triplet_margin_loss: anchor ({anchor.ShapeText}), positive ({positive.ShapeText}) and negative ({negative.ShapeText}) differ in shape; expand them to one shape",
                nameof(negative));
        }
    }

    /// <summary>One call: the three gradients, written with the loss, and the rows they belong to.</summary>
    private sealed class TripletNode : Node
    {
        private readonly float[][] _gradients = [[], [], []];
        private Tensor? _anchor, _positive, _negative;
        private int _rows;
        private float[] _rowUpstream = [];

        public Tensor Plan(ReadOnlySpan<int> shape) => PlanOutput(shape);

        public Span<float> Gradient(int which, int length) => ThreeInputGraph.Buffer(ref _gradients[which], length);

        [HotPath]
        public void Set(Tensor anchor, Tensor positive, Tensor negative, int rows)
        {
            _anchor = anchor;
            _positive = positive;
            _negative = negative;
            _rows = rows;
        }

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            bool perRow = ((Loss)Owner!).Reduction == Reduction.None;
            int n = _anchor!.Length;
            ReadOnlySpan<float> upstream = OutputGrad;
            if (perRow)
            {
                // One upstream value per row, spread over the row's elements.
                Span<float> spread = ThreeInputGraph.Buffer(ref _rowUpstream, n);
                int features = _rows == 0 ? 0 : n / _rows;
                for (int r = 0; r < _rows; r++)
                {
                    spread.Slice(r * features, features).Fill(upstream[r]);
                }

                upstream = spread;
            }

            ThreeInputGraph.AddScaled(_anchor, _gradients[0].AsSpan(0, n), upstream, perRow);
            ThreeInputGraph.AddScaled(_positive!, _gradients[1].AsSpan(0, n), upstream, perRow);
            ThreeInputGraph.AddScaled(_negative!, _gradients[2].AsSpan(0, n), upstream, perRow);
        }
    }
}
