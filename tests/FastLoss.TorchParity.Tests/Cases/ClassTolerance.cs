namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// |FastLoss - torch| &lt;= relative * |torch| + absolute * unit, where the unit is the case's per-entry or
/// per-element scale (<see cref="ClassLossCase.EntryScale"/>, <see cref="ClassLossCase.GradientScale"/>), times the
/// reduction's factor and the upstream gradient where they apply.
/// </summary>
/// <param name="ValueRelative">Per-entry loss values.</param>
/// <param name="ValueAbsolute">Per-entry loss values, in units of the entry scale; the reduced loss uses the summed scale.</param>
/// <param name="ReducedRelative">The reduced loss (summation order differs: libtorch's cascade sum against FastLoss's lanes).</param>
/// <param name="GradientRelative">Input gradients.</param>
/// <param name="GradientAbsolute">Input gradients, in units of the element's gradient scale.</param>
internal readonly record struct ClassTolerance(
    double ValueRelative, double ValueAbsolute, double ReducedRelative, double GradientRelative, double GradientAbsolute);
