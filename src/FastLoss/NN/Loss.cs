using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The base of the loss modules (torch's <c>_Loss</c>): a <see cref="Reduction"/> and a forward function of an input
/// and a target. Each call records its own node when gradients are wanted; the returned tensor is the call's own.
/// </summary>
public abstract class Loss : Module
{
    protected Loss(Reduction reduction)
        : this(reduction, allowsBatchMean: false)
    {
    }

    /// <param name="reduction">How the terms are reduced.</param>
    /// <param name="allowsBatchMean">Whether the loss defines <see cref="Reduction.BatchMean"/> (KLDivLoss).</param>
    private protected Loss(Reduction reduction, bool allowsBatchMean)
    {
        if (!Enum.IsDefined(reduction) || (reduction == Reduction.BatchMean && !allowsBatchMean))
        {
            // torch's _Reduction.get_enum: "batchmean is not a valid value for reduction" outside KLDivLoss.
            string name = reduction == Reduction.BatchMean ? "batchmean" : reduction.ToString();
            throw new ArgumentOutOfRangeException(nameof(reduction), $"{name} is not a valid value for reduction");
        }

        Reduction = reduction;
    }

    /// <summary>How the per-element terms are reduced: none, mean (the default), sum, or batchmean (KLDivLoss).</summary>
    public Reduction Reduction { get; }

    /// <summary>
    /// The loss of <paramref name="input"/> against <paramref name="target"/>: a 0-dim tensor for sum and mean, one
    /// value per entry for none. A float target that requires grad gets its gradient too, where torch defines one.
    /// </summary>
    [HotPath]
    public Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        using var call = OperationCall.Begin();
        return call.Return(Compute(call.Arena, input, target));
    }

    /// <summary>The loss function itself, for losses defined outside the library.</summary>
    protected virtual Tensor ForwardCore(Tensor input, Tensor target) =>
        throw ModuleErrors.ForwardMissing(this);

    /// <summary>The library's losses compute here, with the arena at hand.</summary>
    private protected virtual Tensor Compute(GraphArena arena, Tensor input, Tensor target) => ForwardCore(input, target);

    /// <summary>A loss needs a target: torch raises the same for <c>loss(input)</c>.</summary>
    protected override Tensor ForwardCore(Tensor input) =>
        throw new ArgumentException("forward() missing 1 required positional argument: 'target'", nameof(input));

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        // Losses hold no parameters.
    }
}
