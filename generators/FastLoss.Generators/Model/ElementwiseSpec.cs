namespace FastLoss.Generators.Model;

internal enum ElementwiseKind
{
    Loss,
    Activation,
}

/// <summary>FastLoss.Generation.LossTarget, by value: what a loss's target is to autograd.</summary>
internal enum TargetRole
{
    Differentiable,
    Label,
    NotDifferentiable,
}

/// <summary>
/// Everything the emitter needs to write one elementwise function: equatable, free of symbols and syntax.
/// </summary>
/// <param name="Namespace">The declaring class's namespace, or empty for the global namespace.</param>
/// <param name="ClassName">The declaring static partial class.</param>
/// <param name="Accessibility">Its accessibility keyword(s), e.g. <c>public</c>.</param>
/// <param name="MethodName">The declaration method (named in generated comments).</param>
/// <param name="Kind">Loss or activation.</param>
/// <param name="Parameters">The formula's parameters in declaration order, including a synthesized weight.</param>
/// <param name="Formula">The per-element value.</param>
/// <param name="Derivative">d value / d input, simplified: derived or declared.</param>
/// <param name="DerivativeIsDeclared">Whether <paramref name="Derivative"/> was given explicitly.</param>
/// <param name="TargetDerivative">d value / d target (losses; a constant 0 for activations): derived or declared.</param>
/// <param name="TargetDerivativeIsDeclared">Whether <paramref name="TargetDerivative"/> was given explicitly.</param>
/// <param name="OutputDerivative">For an activation whose derivative is a function of its value (sigmoid: s (1 - s)),
/// that function of <c>output</c>, so backward reads the output instead of evaluating f again; otherwise null.</param>
/// <param name="OptionCheck">The method every entry point calls with the scalar options first, or null.</param>
/// <param name="FormulaText">The declaration's source text, quoted in the generated file.</param>
/// <param name="InputInUnitInterval">Inputs outside [0, 1] are rejected (BCELoss).</param>
/// <param name="Vectorizable">False when some function has no vector form: scalar loops only.</param>
/// <param name="Target">What the target is to autograd; only a differentiable one gets target-gradient kernels.</param>
/// <param name="InputDerivatives">d value / d input k for each differentiable input (one for most losses; the first is <paramref name="Derivative"/>).</param>
internal sealed record ElementwiseSpec(
    string Namespace,
    string ClassName,
    string Accessibility,
    string MethodName,
    ElementwiseKind Kind,
    EquatableArray<FormulaParameter> Parameters,
    Expr Formula,
    Expr Derivative,
    bool DerivativeIsDeclared,
    Expr TargetDerivative,
    bool TargetDerivativeIsDeclared,
    Expr? OutputDerivative,
    string? OptionCheck,
    string FormulaText,
    bool InputInUnitInterval,
    bool Vectorizable,
    TargetRole Target,
    EquatableArray<Expr> InputDerivatives);
