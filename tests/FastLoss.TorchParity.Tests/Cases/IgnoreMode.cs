namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>How a class-index case uses ignore_index.</summary>
public enum IgnoreMode
{
    /// <summary>torch's default (-100), which no target equals.</summary>
    Default,

    /// <summary>ignore_index 1, a valid class, which every third target equals: those entries leave the loss and the mean.</summary>
    Hit,

    /// <summary>Every target is the default ignore_index: the mean is 0 / 0 = NaN, the sum 0, the gradient all zeros.</summary>
    All,
}
