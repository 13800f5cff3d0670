namespace FastLoss.NN;

/// <summary>The base of the losses with a weight per class (torch's <c>_WeightedLoss</c>): CrossEntropyLoss and NLLLoss.</summary>
public abstract class WeightedLoss : Loss
{
    /// <param name="weight">A weight per class (1-D, length C), or null. The tensor is read at every call, not copied.</param>
    /// <param name="reduction">None, Mean (the default) or Sum.</param>
    protected WeightedLoss(Tensor? weight, Reduction reduction)
        : base(Checked(reduction))
    {
        Weight = weight;
    }

    /// <summary>The weight of each class, or null.</summary>
    public Tensor? Weight { get; }

    // The classification losses word a bad reduction as their span API does.
    private static Reduction Checked(Reduction reduction)
    {
        Generation.ClassLossArguments.RequireReduction(reduction);
        return reduction;
    }
}
