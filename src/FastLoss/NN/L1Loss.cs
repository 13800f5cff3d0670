using FastLoss.Functional;

namespace FastLoss.NN;

/// <summary>torch.nn.L1Loss: mean (or sum, or none) of |input - target|.</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : ElementwiseLoss<L1.Kernel>(reduction);
