using FastLoss.Functional;

namespace FastLoss.Generation;

/// <summary>
/// A class loss's row kernel for class-index targets (one <c>long</c> per entry, already checked against the class
/// count and the ignore index by the generated scan). Named by <see cref="ClassLossAttribute.Kernels"/> (every
/// layout) or <see cref="ClassLossAttribute.ContiguousKernels"/> (rows of inner size 1).
/// </summary>
/// <typeparam name="TPass">What the pass reads and writes besides input and targets (<see cref="IClassLossPass{TOptions, TSelf}"/>).</typeparam>
public interface IIndexTargetRows<TPass>
    where TPass : allows ref struct
{
    /// <summary>
    /// Every entry's loss, written to the pass's entry losses when it has them; returns their sum. A loss whose
    /// gradient reads the input writes the gradient (=) in the same pass when the pass has one.
    /// </summary>
    static abstract double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref TPass pass);
}
