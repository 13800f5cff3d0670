namespace FastLoss.NN;

/// <summary>
/// torch.nn.LogSoftmax(dim): (x - max) - log(sum(exp(x - max))) along <see cref="Dim"/>, with backward
/// dx = dy - exp(y) * sum(dy).
/// </summary>
public sealed class LogSoftmax(int dim) : Module
{
    /// <summary>The normalized dimension; negative counts from the end.</summary>
    public int Dim { get; } = dim;

    private protected override Tensor Compute(Autograd.GraphArena arena, Tensor input) => SoftmaxNode.Run(arena, this, input, Dim, log: true);

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        // No parameters.
    }
}
