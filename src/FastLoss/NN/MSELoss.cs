using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.MSELoss: mean (or sum, or none) of (input - target)^2.</summary>
public sealed class MSELoss(Reduction reduction = Reduction.Mean) : ElementwiseLoss<MeanSquaredError.Kernel>(reduction);
