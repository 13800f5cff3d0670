using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// One classification loss (cross entropy or NLL) on fixed inputs and options, seen from both sides: the
/// libtorch reference and every FastLoss entry point (span methods and the module).
/// <see cref="ClassificationParity"/> runs the comparisons.
/// </summary>
internal abstract class ClassLossCase(ClassificationInputs inputs)
{
    public ClassificationInputs Inputs { get; } = inputs;

    public abstract string Name { get; }

    /// <summary>The tolerances of this loss (see <see cref="ClassTolerance"/>).</summary>
    public abstract ClassTolerance Tolerance { get; }

    /// <summary>The loss through libtorch, as Python would call it.</summary>
    public abstract torch.Tensor Torch(torch.Tensor input, Reduction reduction);

    public abstract float Forward(Reduction reduction);

    public abstract void ForwardNone(Span<float> loss);

    public abstract void Backward(Span<float> inputGrad, Reduction reduction, float upstream);

    public abstract void BackwardNone(ReadOnlySpan<float> upstream, Span<float> inputGrad);

    public abstract float ForwardBackward(Span<float> inputGrad, Reduction reduction);

    /// <summary>The fused per-entry loss and gradient (upstream 1 per entry), where the loss has that method; false otherwise.</summary>
    public virtual bool TryForwardBackwardNone(Span<float> loss, Span<float> inputGrad) => false;

    /// <summary>The FastLoss module's forward (and, through the tape, its backward).</summary>
    public abstract Tensor Module(Tensor input, Reduction reduction);

    /// <summary>For each entry, the unit of the absolute part of its value tolerance (the size of what rounds).</summary>
    public abstract float[] EntryScale();

    /// <summary>For each input element, the unit of the absolute part of its gradient tolerance, before the reduction's factor and the upstream gradient.</summary>
    public abstract float[] GradientScale();

    public override string ToString() => $"{Name} on {Inputs}";
}
