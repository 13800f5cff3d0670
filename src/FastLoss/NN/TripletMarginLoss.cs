using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.TripletMarginLoss(margin, p, eps, swap): per row, max(0, margin + d(anchor, positive) - d(anchor, negative))
/// with torch's pairwise distance ||u - v + eps||_p for any finite p &gt; 0 (2 by default); inputs (N, D) or unbatched (D). All three
/// inputs get torch's gradients. Call <see cref="Forward(Tensor, Tensor, Tensor)"/>.
/// </summary>
public sealed class TripletMarginLoss : Loss
{
    public TripletMarginLoss(float margin = 1f, float p = 2f, float eps = 1e-6f, bool swap = false, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        if (!(p > 0f && float.IsFinite(p)))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"TripletMarginLoss: p = {p} is not supported; FastLoss has the p-norms of a finite p > 0 (not torch's p = 0 count, negative or infinite norms)");
        }

        Margin = margin;
        P = p;
        Eps = eps;
        Swap = swap;
    }

    public float Margin { get; }

    /// <summary>The norm of the distance: 2 and 1 have kernels of their own, any other p &gt; 0 the general p-norm's.</summary>
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
        var inputs = new Triplets(anchor.Data, positive.Data, negative.Data, rows);
        if (Reduction == Reduction.None)
        {
            ForwardNone(inputs, output.Data);
            if (record)
            {
                // The rows' gradients of upstream 1; the node scales them by each row's upstream.
                ForwardBackward(inputs, ga, gp, gn, Reduction.Sum);
            }
        }
        else
        {
            output.Data[0] = record ? ForwardBackward(inputs, ga, gp, gn, Reduction) : Forward(inputs, Reduction);
        }

        if (record)
        {
            node.Set(anchor, positive, negative, rows);
            ThreeInputGraph.Record(arena, node, anchor, positive, negative);
        }

        return output;
    }

    /// <summary>The loss of each row, by the declaration of this loss's norm.</summary>
    private void ForwardNone(in Triplets t, Span<float> loss)
    {
        switch (P)
        {
            case 2f:
                TripletMargin.ForwardNone(t.Anchor, t.Positive, t.Negative, t.Rows, loss, Margin, Eps, Swap);
                break;
            case 1f:
                TripletMarginL1.ForwardNone(t.Anchor, t.Positive, t.Negative, t.Rows, loss, Margin, Eps, Swap);
                break;
            default:
                TripletMarginPNorm.ForwardNone(t.Anchor, t.Positive, t.Negative, t.Rows, loss, Margin, P, Eps, Swap);
                break;
        }
    }

    private float Forward(in Triplets t, Reduction reduction) => P switch
    {
        2f => TripletMargin.Forward(t.Anchor, t.Positive, t.Negative, t.Rows, reduction, Margin, Eps, Swap),
        1f => TripletMarginL1.Forward(t.Anchor, t.Positive, t.Negative, t.Rows, reduction, Margin, Eps, Swap),
        _ => TripletMarginPNorm.Forward(t.Anchor, t.Positive, t.Negative, t.Rows, reduction, Margin, P, Eps, Swap),
    };

    private float ForwardBackward(in Triplets t, Span<float> ga, Span<float> gp, Span<float> gn, Reduction reduction) => P switch
    {
        2f => TripletMargin.ForwardBackward(t.Anchor, t.Positive, t.Negative, t.Rows, ga, gp, gn, reduction, Margin, Eps, Swap),
        1f => TripletMarginL1.ForwardBackward(t.Anchor, t.Positive, t.Negative, t.Rows, ga, gp, gn, reduction, Margin, Eps, Swap),
        _ => TripletMarginPNorm.ForwardBackward(t.Anchor, t.Positive, t.Negative, t.Rows, ga, gp, gn, reduction, Margin, P, Eps, Swap),
    };

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

    /// <summary>The three inputs of a call and their row count.</summary>
    private readonly ref struct Triplets(ReadOnlySpan<float> anchor, ReadOnlySpan<float> positive, ReadOnlySpan<float> negative, int rows)
    {
        public ReadOnlySpan<float> Anchor { get; } = anchor;

        public ReadOnlySpan<float> Positive { get; } = positive;

        public ReadOnlySpan<float> Negative { get; } = negative;

        public int Rows { get; } = rows;
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
