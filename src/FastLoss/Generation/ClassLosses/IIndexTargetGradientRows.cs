using FastLoss.Functional;

namespace FastLoss.Generation;

/// <summary>
/// The gradient of a class loss whose gradient does not depend on the input's values (NLL's is -w[y] at the target
/// class): implemented beside <see cref="IIndexTargetRows{TPass}"/> by the <see cref="ClassLossAttribute.Kernels"/>
/// type, it makes the generated Backward take no input, and the loss kernel then only computes losses.
/// </summary>
/// <typeparam name="TPass">What the pass reads and writes besides the targets (<see cref="IClassLossPass{TOptions, TSelf}"/>).</typeparam>
public interface IIndexTargetGradientRows<TPass>
    where TPass : allows ref struct
{
    /// <summary>ADDS every entry's gradient into the pass's gradient (which the generated code has cleared).</summary>
    static abstract void IndexTargetsGradient(ClassLayout layout, ReadOnlySpan<long> targets, scoped ref TPass pass);
}
