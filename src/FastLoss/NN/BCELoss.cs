using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.BCELoss: binary cross entropy of probabilities in [0, 1], optionally weighted.</summary>
public sealed class BCELoss : ElementwiseLoss<BinaryCrossEntropy.Kernel>
{
    /// <param name="weight">Rescales each term; broadcast to the input's shape.</param>
    /// <param name="reduction">How terms are reduced.</param>
    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        Weight = weight;
    }

    /// <summary>The weight of each term (broadcast to the input's shape), or null.</summary>
    public Tensor? Weight { get; }

    protected override Tensor? WeightTensor => Weight;

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        $"Using a target size ({targetShape}) that is different to the input size ({inputShape}) is deprecated. Please ensure they have the same size.";
}
