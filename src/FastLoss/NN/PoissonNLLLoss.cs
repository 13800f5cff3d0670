using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.PoissonNLLLoss(log_input, full, eps, reduction): the negative log-likelihood of a Poisson target whose
/// rate is exp(input) (<c>logInput</c>) or the input itself, with Stirling's term when
/// <c>full</c>.
/// </summary>
public sealed class PoissonNLLLoss : ElementwiseLoss<PoissonNll.Kernel>
{
    /// <param name="logInput">The input is the log of the rate (torch's default).</param>
    /// <param name="full">Add Stirling's approximation of log(target!) for targets above 1.</param>
    /// <param name="eps">Added to the rate before its logarithm when <paramref name="logInput"/> is false.</param>
    /// <param name="reduction">How terms are reduced.</param>
    public PoissonNLLLoss(bool logInput = true, bool full = false, float eps = 1e-8f, Reduction reduction = Reduction.Mean)
        : base(reduction, eps, (logInput ? 1 : 0) | (full ? 2 : 0))
    {
        LogInput = logInput;
        Full = full;
        Eps = eps;
    }

    /// <summary>Whether the input is the log of the rate.</summary>
    public bool LogInput { get; }

    /// <summary>Whether Stirling's term is added.</summary>
    public bool Full { get; }

    /// <summary>What keeps log(rate) finite at a zero rate.</summary>
    public float Eps { get; }

    protected override string FunctionName => "poisson_nll_loss";

    protected override string ShapeMismatchMessage(string inputShape, string targetShape) =>
        TargetShapeMessage(inputShape, targetShape);
}
