namespace FastLoss.Generation;

/// <summary>
/// Declares an elementwise loss by its per-element scalar formula. Put it on an expression-bodied
/// <c>static float</c> method of a <c>static partial class</c>: the first parameter is the input
/// (the variable the loss is differentiated by), the second the target, further <c>float</c>
/// parameters are scalar options (their default values become the API's defaults), <c>bool</c> parameters are
/// flags that choose between forms of the formula (KLDivLoss' log_target; each combination gets its own loops, so the
/// choice costs nothing per element) and parameters marked
/// <see cref="PerElementAttribute"/> are optional spans read alongside the input.
/// The source generator emits into the class vectorized Forward, ForwardNone, Backward, BackwardNone, a fused
/// ForwardBackward, TargetBackward and TargetBackwardNone, deriving the gradients symbolically unless
/// <see cref="Derivative"/> or <see cref="TargetDerivative"/> names one, and a <c>Kernel</c> struct that puts them
/// behind <see cref="IElementwiseLossKernel"/> for the module <c>ElementwiseLoss&lt;TKernel&gt;</c> (when the loss has
/// at most one scalar option and its per-element spans are named weight or posWeight).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ElementwiseLossAttribute : Attribute
{
    /// <summary>
    /// The name of a method with the same parameters whose formula is the derivative with respect to the
    /// input, for losses whose backward is not the derivative of their forward (torch's derivatives.yaml
    /// does the same: BCE's clamped denominator, BCEWithLogits' stable form).
    /// </summary>
    public string? Derivative { get; set; }

    /// <summary>
    /// The name of a method with the same parameters whose formula is the derivative with respect to the target,
    /// where torch's target gradient is not the derivative of the forward formula (BCELoss: -logit(x), unclamped).
    /// Without it the generator derives it.
    /// </summary>
    public string? TargetDerivative { get; set; }

    /// <summary>
    /// The name of a <c>static void</c> method taking the scalar options (same names, same order) that every generated
    /// entry point calls first: the span functions then refuse what torch refuses, as the modules do.
    /// </summary>
    public string? CheckOptions { get; set; }

    /// <summary>Adds an optional per-element <c>weight</c> span that multiplies each term and its gradient.</summary>
    public bool Weighted { get; set; }

    /// <summary>
    /// The formula's logarithms are meant unclamped, as torch takes them (PoissonNLLLoss' log(x + eps), whose guard is
    /// the user's eps): FL3001 is not reported.
    /// </summary>
    public bool AllowUnclampedLog { get; set; }

    /// <summary>
    /// How many leading parameters are differentiable inputs (MarginRankingLoss' two); the parameter after them is the
    /// target. With more than one, every gradient is derived, the span API takes the inputs by their parameters' names
    /// (<c>input1</c>, <c>input2</c>; <c>input</c> is allowed) and the target as <c>target</c>, writes
    /// <c>input1Grad</c>, <c>input2Grad</c>, ..., and the options are scalars and flags.
    /// </summary>
    public int Inputs { get; set; } = 1;

    /// <summary>Every input and target element must lie in [0, 1] (BCELoss); others are rejected before anything is written.</summary>
    public bool InputInUnitInterval { get; set; }

    /// <summary>
    /// What the target is to autograd (differentiable by default). With <see cref="LossTarget.Label"/> or
    /// <see cref="LossTarget.NotDifferentiable"/> no target gradient is generated.
    /// </summary>
    public LossTarget Target { get; set; }
}
