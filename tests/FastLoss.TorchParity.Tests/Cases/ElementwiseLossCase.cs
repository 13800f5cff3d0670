using FastLoss.Generation;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// One elementwise loss with fixed options, seen from both sides: the libtorch reference and every
/// FastLoss entry point (span kernels and the module). <see cref="ElementwiseParity"/> runs the comparisons.
/// </summary>
internal abstract class ElementwiseLossCase
{
    public abstract string Name { get; }

    /// <summary>What the loss's target is to torch's autograd.</summary>
    public virtual LossTarget TargetKind => LossTarget.Differentiable;

    /// <summary>
    /// torch's backward multiplies the upstream gradient into a partial product of the gradient (u (y - x) exp(y)),
    /// FastLoss into the whole, so where a factor passes float's maximum one order overflows and the other does not.
    /// Tests of special values keep such losses' values below 1e30.
    /// </summary>
    public virtual bool ScalesUpstreamIntoAPart => false;

    /// <summary>Seeded inputs, targets and options for a tensor of <paramref name="shape"/>.</summary>
    public abstract LossInputs MakeInputs(ParityData data, int[] shape);

    /// <summary>The loss through torch.nn.functional, as Python would call it.</summary>
    public abstract torch.Tensor Torch(torch.Tensor input, torch.Tensor target, LossInputs inputs, torch.nn.Reduction reduction);

    public abstract float Forward(LossInputs inputs, Reduction reduction);

    public abstract void ForwardNone(LossInputs inputs, Span<float> loss);

    public abstract void Backward(LossInputs inputs, Span<float> inputGrad, Reduction reduction, float upstream);

    public abstract void BackwardNone(LossInputs inputs, ReadOnlySpan<float> upstream, Span<float> inputGrad);

    public abstract float ForwardBackward(LossInputs inputs, Span<float> inputGrad, Reduction reduction);

    /// <summary>The FastLoss module's forward (and, through the tape, its backward).</summary>
    public abstract Tensor Module(Tensor input, Tensor target, LossInputs inputs, Reduction reduction);

    /// <summary>
    /// For each element, the size of the rounding its loss term may carry, in units of float32's epsilon
    /// relative to 1: the absolute part of the value tolerance is scaled by it. 1 unless a loss says otherwise.
    /// A new array each call (the caller scales it in place).
    /// </summary>
    public virtual float[] ValueScale(LossInputs inputs) => Ones(inputs.Length);

    /// <summary>The same for the gradient of each element (before the reduction's 1/N and the upstream factor).</summary>
    public virtual float[] GradientScale(LossInputs inputs) => Ones(inputs.Length);

    public override string ToString() => Name;

    /// <summary>A per-element scale from each (input, target) pair.</summary>
    protected static float[] PerElement(LossInputs inputs, Func<float, float, float> scale)
    {
        var values = new float[inputs.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = scale(inputs.Input[i], inputs.Target[i]);
        }

        return values;
    }

    protected static float[] Ones(int count)
    {
        var ones = new float[count];
        Array.Fill(ones, 1f);
        return ones;
    }

    /// <summary>The weight as torch takes it, in the input's precision.</summary>
    protected static torch.Tensor? WeightTensor(LossInputs inputs, torch.Tensor like) =>
        inputs.Weight is null ? null : TorchConvert.ToTorch(inputs.Weight, inputs.WeightShape, type: like.dtype);

    protected static torch.Tensor? PosWeightTensor(LossInputs inputs, torch.Tensor like) =>
        inputs.PosWeight is null ? null : TorchConvert.ToTorch(inputs.PosWeight, [inputs.PosWeight.Length], type: like.dtype);

    protected static Tensor? FastWeightTensor(LossInputs inputs) =>
        inputs.Weight is null ? null : Tensor.FromValues(inputs.Weight, inputs.WeightShape!);

    protected static Tensor? FastPosWeightTensor(LossInputs inputs) =>
        inputs.PosWeight is null ? null : Tensor.FromValues(inputs.PosWeight, inputs.PosWeight.Length);
}
