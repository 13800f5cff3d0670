using System.Globalization;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.TripletMarginWithDistanceLoss(distance_function, margin, swap, reduction): max(0, margin + d(a, p) - d(a, n))
/// per triplet for a distance of your own, a function of two tensors built from FastLoss's differentiable operations
/// (it returns one distance per row, or one for an unbatched triplet); without one, torch's pairwise distance, which
/// runs TripletMarginLoss' generated kernels. With <c>swap</c>, d(a, n) is min(d(a, n), d(p, n)).
/// </summary>
public sealed class TripletMarginWithDistanceLoss : Loss
{
    private readonly TripletMarginLoss? _pairwise;

    /// <param name="distanceFunction">The distance, or null for torch's pairwise distance (p = 2, eps = 1e-6).</param>
    /// <param name="margin">Greater than 0, as torch requires.</param>
    /// <param name="swap">Whether the negative's distance is the smaller of its distances to the anchor and to the positive.</param>
    /// <param name="reduction">None, Mean or Sum.</param>
    public TripletMarginWithDistanceLoss(Func<Tensor, Tensor, Tensor>? distanceFunction = null, float margin = 1f, bool swap = false, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        if (!(margin > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(margin), string.Create(CultureInfo.InvariantCulture, $"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead"));
        }

        DistanceFunction = distanceFunction;
        Margin = margin;
        Swap = swap;
        _pairwise = distanceFunction is null ? new TripletMarginLoss(margin, 2f, 1e-6f, swap, reduction) : null;
    }

    /// <summary>The distance of your own, or null for torch's pairwise distance.</summary>
    public Func<Tensor, Tensor, Tensor>? DistanceFunction { get; }

    public float Margin { get; }

    public bool Swap { get; }

    /// <summary>The loss of the triplets.</summary>
    public Tensor Forward(Tensor anchor, Tensor positive, Tensor negative)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        if (_pairwise is not null)
        {
            return _pairwise.Forward(anchor, positive, negative);
        }

        // torch's composite, in FastLoss's differentiable operations: the distance's graph joins the loss's.
        Func<Tensor, Tensor, Tensor> distance = DistanceFunction!;
        Tensor toPositive = distance(anchor, positive);
        Tensor toNegative = distance(anchor, negative);
        if (Swap)
        {
            // min(u, v) = u - clamp_min(u - v, 0).
            Tensor swapped = distance(positive, negative);
            toNegative -= (toNegative - swapped).ClampMin(0f);
        }

        Tensor losses = (Margin + toPositive - toNegative).ClampMin(0f);
        return Reduction switch
        {
            Reduction.Sum => losses.Sum(),
            Reduction.Mean => losses.Mean(),
            _ => losses,
        };
    }

    /// <summary>torch's message for a call with two arguments.</summary>
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        throw new ArgumentException("forward() missing 1 required positional argument: 'negative'", nameof(target));
}
