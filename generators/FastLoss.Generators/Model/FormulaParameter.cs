namespace FastLoss.Generators.Model;

/// <summary>What a formula parameter is to the generated API.</summary>
internal enum ParameterRole
{
    /// <summary>The input span; the variable of differentiation.</summary>
    Input,

    /// <summary>The target span (losses only).</summary>
    Target,

    /// <summary>A scalar option such as beta or delta.</summary>
    Scalar,

    /// <summary>An optional span read alongside the input; absent means the declared default.</summary>
    PerElement,

    /// <summary>
    /// A bool option that picks a form of the formula (log_target): used in conditions only, and specialised away,
    /// each combination of flags getting its own loops.
    /// </summary>
    Flag,
}

/// <param name="Name">The parameter's name in the declaration (and in the generated API).</param>
/// <param name="Role">Its role.</param>
/// <param name="DefaultText">The declared default as C# source text (e.g. <c>1f</c>, <c>false</c>), or null.</param>
/// <param name="DefaultValue">The declared default's value (an absent per-element operand takes it), or null.</param>
/// <param name="NonNegative">The span is checked for negative elements first (<c>[NonNegative]</c>, GaussianNLLLoss' var).</param>
internal sealed record FormulaParameter(string Name, ParameterRole Role, string? DefaultText, double? DefaultValue, bool NonNegative = false);
