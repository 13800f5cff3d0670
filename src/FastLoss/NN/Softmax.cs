namespace FastLoss.NN;

/// <summary>
/// torch.nn.Softmax(dim): exp(x - max) / sum(exp(x - max)) along <see cref="Dim"/>, with backward
/// dx = y * (dy - sum(dy * y)).
/// </summary>
public sealed class Softmax(int dim) : Module
{
    /// <summary>The normalized dimension; negative counts from the end.</summary>
    public int Dim { get; } = dim;

    private protected override Tensor Compute(Autograd.GraphArena arena, Tensor input) => SoftmaxNode.Run(arena, this, input, Dim, log: false);

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        // No parameters.
    }
}
