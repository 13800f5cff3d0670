using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.KLDivLoss(reduction, log_target): the input is log-probabilities, the target probabilities (or their logs
/// with <c>logTarget</c>). <see cref="Reduction.BatchMean"/> divides the sum by the batch size, the
/// Kullback-Leibler divergence per sample; <see cref="Reduction.Mean"/> divides by the element count, as torch's
/// 'mean' does (which torch warns about).
/// </summary>
public sealed class KLDivLoss : ElementwiseLoss<KLDivergence.Kernel>
{
    /// <param name="reduction">None, Mean, Sum or BatchMean.</param>
    /// <param name="logTarget">Whether the target holds log-probabilities.</param>
    public KLDivLoss(Reduction reduction = Reduction.Mean, bool logTarget = false)
        : base(reduction, 0f, logTarget ? 1 : 0, allowsBatchMean: true)
    {
        LogTarget = logTarget;
    }

    /// <summary>Whether the target holds log-probabilities.</summary>
    public bool LogTarget { get; }

    protected override string FunctionName => "kl_div";

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        TargetShapeMessage(inputShape, targetShape);
}
