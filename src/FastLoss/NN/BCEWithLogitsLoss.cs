using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.BCEWithLogitsLoss: binary cross entropy on logits, stable for any logit, with weight and pos_weight.</summary>
public sealed class BCEWithLogitsLoss : ElementwiseLoss<BinaryCrossEntropyWithLogits.Kernel>
{
    /// <param name="weight">Rescales each term; broadcast to the input's shape.</param>
    /// <param name="reduction">How terms are reduced.</param>
    /// <param name="posWeight">Weight of the positive term per class; broadcast along the last dimension.</param>
    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? posWeight = null)
        : base(reduction)
    {
        Weight = weight;
        PosWeight = posWeight;
    }

    /// <summary>The weight of each term (broadcast to the input's shape), or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The weight of the positive term of each class (broadcast along the last dimension), or null.</summary>
    public Tensor? PosWeight { get; }

    protected override Tensor? WeightTensor => Weight;

    protected override Tensor? PosWeightTensor => PosWeight;

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        $"Target size ({targetShape}) must be the same as input size ({inputShape})";
}
