namespace FastLoss;

/// <summary>How a loss reduces its per-element terms, as torch's <c>reduction</c> argument.</summary>
public enum Reduction
{
    /// <summary>No reduction: the loss has the shape of the per-element terms.</summary>
    None,

    /// <summary>The mean of the terms (torch's default); weighted losses document their own denominator.</summary>
    Mean,

    /// <summary>The sum of the terms.</summary>
    Sum,

    /// <summary>
    /// The sum divided by the batch size, the input's first dimension (KLDivLoss only, where it is the mathematical
    /// KL divergence per sample; every other loss refuses it, as torch does).
    /// </summary>
    BatchMean,
}
