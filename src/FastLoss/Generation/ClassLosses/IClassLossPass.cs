using FastLoss.Functional;

namespace FastLoss.Generation;

/// <summary>
/// The state one pass of a class loss's row kernels reads and writes besides the input and the targets, and how the
/// generated code builds it from the options. Implemented by the pass type that the row kernels take by
/// <c>scoped ref</c> (<see cref="IIndexTargetRows{TPass}"/>, <see cref="IProbabilityTargetRows{TPass}"/>).
/// </summary>
/// <typeparam name="TOptions">The loss's options, the last parameter of the generated entry points.</typeparam>
/// <typeparam name="TSelf">The pass type itself.</typeparam>
public interface IClassLossPass<TOptions, TSelf>
    where TOptions : IClassLossOptions, allows ref struct
    where TSelf : IClassLossPass<TOptions, TSelf>, allows ref struct
{
    /// <summary>
    /// Checks the options against the class count (torch's messages), before anything is read or written; the
    /// generated code has checked the reduction already and checks the lengths after this.
    /// </summary>
    static abstract void CheckOptions(TOptions options, int classes, bool probabilityTargets);

    /// <summary>
    /// Checks class-index targets in the loss's own words before the generated scan does (which refuses a target
    /// outside [0, C) that is not the ignore index with torch's "Target t is out of bounds."); by default nothing.
    /// </summary>
    static virtual void CheckIndexTargets(ReadOnlySpan<long> targets, int classes)
    {
    }

    /// <summary>
    /// The pass over <paramref name="layout"/>. <paramref name="gradientScale"/> is every entry's gradient factor
    /// (upstream / the mean's denominator for mean, upstream otherwise); <paramref name="entryLosses"/>,
    /// <paramref name="gradient"/> and <paramref name="entryUpstream"/> are empty when not wanted.
    /// </summary>
    static abstract TSelf Create(
        ClassLayout layout, TOptions options, float gradientScale,
        Span<float> entryLosses, Span<float> gradient, ReadOnlySpan<float> entryUpstream);
}
