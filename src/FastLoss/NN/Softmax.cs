namespace FastLoss.NN;

/// <summary>
/// torch.nn.Softmax(dim): exp(x - max) / sum(exp(x - max)) along <see cref="Dim"/>, with backward
/// dx = y * (dy - sum(dy * y)). The output tensor is owned by the module and reused while the input's shape is unchanged.
/// </summary>
public sealed class Softmax(int dim) : Module
{
    private readonly SoftmaxPlan _plan = new(dim, log: false);

    /// <summary>The normalized dimension; negative counts from the end.</summary>
    public int Dim { get; } = dim;

    public override Tensor Forward(Tensor input) => _plan.Forward(input);

    [FastLoss.Generation.HotPath]
    protected internal override void ZeroParameterGrads()
    {
        // No parameters.
    }
}
