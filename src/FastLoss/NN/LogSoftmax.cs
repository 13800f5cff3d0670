namespace FastLoss.NN;

/// <summary>
/// torch.nn.LogSoftmax(dim): (x - max) - log(sum(exp(x - max))) along <see cref="Dim"/>, with backward
/// dx = dy - exp(y) * sum(dy). The output tensor is owned by the module and reused while the input's shape is unchanged.
/// </summary>
public sealed class LogSoftmax(int dim) : Module
{
    private readonly SoftmaxPlan _plan = new(dim, log: true);

    /// <summary>The normalized dimension; negative counts from the end.</summary>
    public int Dim { get; } = dim;

    public override Tensor Forward(Tensor input) => _plan.Forward(input);

    [FastLoss.Generation.HotPath]
    protected internal override void ZeroParameterGrads()
    {
        // No parameters.
    }
}
