namespace FastLoss.Generators.Model;

/// <summary>
/// A row-wise loss: the per-row formula over the row's sums and target, the sums' elementwise terms, and every
/// derivative the emitter needs. Equatable, free of symbols and syntax.
/// </summary>
/// <param name="Namespace">The declaring class's namespace, or empty.</param>
/// <param name="ClassName">The declaring static partial class.</param>
/// <param name="MethodName">The declaration method.</param>
/// <param name="Inputs">The differentiable inputs' names, in order (the API's span names).</param>
/// <param name="TargetName">The per-row target's name in the formula.</param>
/// <param name="Scalars">The scalar options with their default's source text.</param>
/// <param name="RowFormula">The loss of a row, over <c>sum0</c> ... <c>sumK</c>, the target and the options.</param>
/// <param name="Terms">Term k is the elementwise expression whose sum over the row is <c>sumk</c>.</param>
/// <param name="SumDerivatives">d(row loss)/d(sum k), over the sums, the target and the options.</param>
/// <param name="TermDerivatives">d(term k)/d(input i), at index k * Inputs + i.</param>
/// <param name="TargetDerivative">d(row loss)/d(target), or null when the target gets no gradient.</param>
/// <param name="FormulaText">The declaration's text, quoted in the generated file.</param>
/// <param name="WithTarget">Whether the loss has a per-row target (TripletMarginLoss has none: the API takes the row count).</param>
/// <param name="Flags">Bool options of the row formula (TripletMarginLoss' swap), passed to the per-row functions.</param>
internal sealed record RowwiseSpec(
    string Namespace,
    string ClassName,
    string MethodName,
    EquatableArray<string> Inputs,
    string TargetName,
    EquatableArray<FormulaParameter> Scalars,
    Expr RowFormula,
    EquatableArray<Expr> Terms,
    EquatableArray<Expr> SumDerivatives,
    EquatableArray<Expr> TermDerivatives,
    Expr? TargetDerivative,
    string FormulaText,
    bool WithTarget,
    EquatableArray<FormulaParameter> Flags);
