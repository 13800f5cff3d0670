namespace FastLoss.Generation;

/// <summary>
/// An elementwise loss's span kernels behind one interface (the generator emits a <c>Kernel</c> struct per loss),
/// so that one generic module, <c>ElementwiseLoss&lt;TKernel&gt;</c>, serves them all. Static abstract members:
/// a call through a struct type argument is a direct call, with nothing boxed.
/// </summary>
public interface IElementwiseLossKernel
{
    /// <summary>The loss reduced by <paramref name="reduction"/> (Sum or Mean).</summary>
    static abstract float Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Reduction reduction, ElementwiseLossOptions options);

    /// <summary>The per-element losses, written to <paramref name="loss"/>.</summary>
    static abstract void ForwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> loss, ElementwiseLossOptions options);

    /// <summary>The reduced loss, with d(loss)/d(input) written to <paramref name="inputGrad"/> in the same pass.</summary>
    static abstract float ForwardBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> inputGrad, Reduction reduction, ElementwiseLossOptions options);

    /// <summary>upstream[i] * d loss[i] / d input[i], written to <paramref name="inputGrad"/>.</summary>
    static abstract void BackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> inputGrad, ElementwiseLossOptions options);

    /// <summary>What the target is to autograd; a kernel without a target gradient says so here.</summary>
    static virtual LossTarget Target => LossTarget.Differentiable;

    /// <summary>upstream * d(reduced loss)/d(target), written to <paramref name="targetGrad"/>.</summary>
    static virtual void TargetBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> targetGrad, Reduction reduction, float upstream, ElementwiseLossOptions options) =>
        throw new NotSupportedException("This loss has no gradient with respect to its target.");

    /// <summary>upstream[i] * d loss[i] / d target[i], written to <paramref name="targetGrad"/>.</summary>
    static virtual void TargetBackwardNone(ReadOnlySpan<float> input, ReadOnlySpan<float> target, ReadOnlySpan<float> upstream, Span<float> targetGrad, ElementwiseLossOptions options) =>
        throw new NotSupportedException("This loss has no gradient with respect to its target.");
}
