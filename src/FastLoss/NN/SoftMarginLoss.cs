using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.SoftMarginLoss: the logistic loss log(1 + exp(-y x)) of ±1 targets; the target may not require grad.</summary>
public sealed class SoftMarginLoss(Reduction reduction = Reduction.Mean) : ElementwiseLoss<SoftMargin.Kernel>(reduction)
{
    protected override string FunctionName => "soft_margin_loss";

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        TargetShapeMessage(inputShape, targetShape);
}
