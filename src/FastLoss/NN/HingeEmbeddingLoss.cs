using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.HingeEmbeddingLoss(margin): x where the target is 1, max(0, margin - x) where it is -1. The target is a
/// label: it gets no gradient.
/// </summary>
public sealed class HingeEmbeddingLoss : ElementwiseLoss<HingeEmbedding.Kernel>
{
    public HingeEmbeddingLoss(float margin = 1f, Reduction reduction = Reduction.Mean)
        : base(reduction, margin)
    {
        Margin = margin;
    }

    /// <summary>The margin of the hinge for targets of -1.</summary>
    public float Margin { get; }

    protected override string FunctionName => "hinge_embedding_loss";

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        TargetShapeMessage(inputShape, targetShape);
}
