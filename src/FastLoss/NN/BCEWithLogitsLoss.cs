using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.BCEWithLogitsLoss: binary cross entropy on logits, stable for any logit, with weight and pos_weight.</summary>
public sealed class BCEWithLogitsLoss : ElementwiseLossModule
{
    private readonly Tensor? _weight;
    private readonly Tensor? _posWeight;

    /// <param name="weight">Rescales each term; broadcast to the input's shape.</param>
    /// <param name="reduction">How terms are reduced.</param>
    /// <param name="posWeight">Weight of the positive term per class; broadcast along the last dimension.</param>
    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
        : base(reduction)
    {
        _weight = weight;
        _posWeight = posWeight;
    }

    protected override Tensor? WeightTensor => _weight;

    protected override Tensor? PosWeightTensor => _posWeight;

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        $"Target size ({targetShape}) must be the same as input size ({inputShape})";

    protected override float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropyWithLogits.Forward(input, target, reduction, weight, posWeight);

    protected override void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropyWithLogits.ForwardNone(input, target, loss, weight, posWeight);

    protected override float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropyWithLogits.ForwardBackward(input, target, inputGrad, reduction, weight, posWeight);

    protected override void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropyWithLogits.BackwardNone(input, target, upstream, inputGrad, weight, posWeight);
}
