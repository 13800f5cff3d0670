using FastLoss.Functional;

namespace FastLoss.Generation;

/// <summary>
/// A class loss's row kernel for class-probability targets (floats laid out like the input), as
/// <see cref="IIndexTargetRows{TPass}"/> is for class indices.
/// </summary>
/// <typeparam name="TPass">What the pass reads and writes besides input and targets (<see cref="IClassLossPass{TOptions, TSelf}"/>).</typeparam>
public interface IProbabilityTargetRows<TPass>
    where TPass : allows ref struct
{
    /// <summary>Every entry's loss (written when the pass has entry losses) and, when the pass has one, the gradient (=); returns the sum of the losses.</summary>
    static abstract double ProbabilityTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<float> targets, scoped ref TPass pass);
}
