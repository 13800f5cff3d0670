using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.BCELoss: binary cross entropy of probabilities in [0, 1], optionally weighted.</summary>
public sealed class BCELoss : ElementwiseLossModule
{
    private readonly Tensor? _weight;

    /// <param name="weight">Rescales each term; broadcast to the input's shape.</param>
    /// <param name="reduction">How terms are reduced.</param>
    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        _weight = weight;
    }

    protected override Tensor? WeightTensor => _weight;

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        $"Using a target size ({targetShape}) that is different to the input size ({inputShape}) is deprecated. Please ensure they have the same size.";

    protected override float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropy.Forward(input, target, reduction, weight);

    protected override void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropy.ForwardNone(input, target, loss, weight);

    protected override float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropy.ForwardBackward(input, target, inputGrad, reduction, weight);

    protected override void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ReadOnlySpan<float> weight, ReadOnlySpan<float> posWeight) =>
        BinaryCrossEntropy.BackwardNone(input, target, upstream, inputGrad, weight);
}
