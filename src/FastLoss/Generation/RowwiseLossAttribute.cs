namespace FastLoss.Generation;

/// <summary>
/// Declares a loss over rows (the last dimension) by its per-row scalar formula, in which the inputs appear only
/// inside <see cref="Row.Sum"/>: sums over the row of elementwise expressions (dot products, squared norms). Put it on
/// an expression-bodied <c>static float</c> method of a <c>static partial class</c>: the first <see cref="Inputs"/>
/// parameters are the differentiable inputs (rows of D elements), the next the target (one value per row), further
/// <c>float</c> parameters scalar options and <c>bool</c> ones flags of the row formula (not of the sums' terms). The generator derives every gradient through the sums (the chain rule
/// d loss / d x_j = sum over k of d loss / d sum_k times d term_k / d x_j) and emits span functions over N rows:
/// Forward, ForwardNone (one loss per row), Backward, BackwardNone, ForwardBackward, TargetBackward and
/// TargetBackwardNone, each row's sums in one vector pass and its gradients in a second.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class RowwiseLossAttribute : Attribute
{
    /// <summary>How many leading parameters are differentiable inputs (CosineEmbeddingLoss' two).</summary>
    public int Inputs { get; set; } = 1;

    /// <summary>What the per-row target is to autograd (differentiable by default).</summary>
    public LossTarget Target { get; set; }

    /// <summary>
    /// Whether a target parameter follows the inputs (true by default). Without one (TripletMarginLoss) the span API
    /// takes the number of rows in its place.
    /// </summary>
    public bool WithTarget { get; set; } = true;
}
