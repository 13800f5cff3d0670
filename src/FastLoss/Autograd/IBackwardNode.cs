namespace FastLoss.Autograd;

/// <summary>
/// One recorded operation: it knows its output and inputs and, given the output's gradient, adds the
/// inputs' gradients (+=). Layers and losses own their nodes and reuse them every step, so recording
/// a step allocates nothing.
/// </summary>
public interface IBackwardNode
{
    /// <summary>The tensor this operation produced; its <see cref="Tensor.Grad"/> is read by <see cref="Backward"/>.</summary>
    Tensor Output { get; }

    /// <summary>Accumulates the gradients of the inputs from the gradient of <see cref="Output"/>.</summary>
    void Backward();
}
