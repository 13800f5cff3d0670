using FastLoss.Generation;
using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// Every elementwise loss over every pair of special values (±0, subnormals, float's largest values, infinities,
/// NaN, and ordinary values beside them) against libtorch: values, input and target gradients, element by element,
/// through the span functions and the modules. What torch makes of these is not always the mathematical answer
/// (torch's sign(NaN) is 0, so L1's gradient at a NaN is 0; SmoothL1's is NaN); FastLoss gives what torch gives.
/// Where torch's float32 arithmetic overflows an intermediate (2 (x - y) at |x - y| near float's maximum, p y in
/// BCEWithLogits' gradient for a target of 1e38) and FastLoss's order of operations does not, FastLoss may instead
/// give torch's float64 answer rounded to float32: the element must match one of the two. Reductions are checked
/// over the finite pairs (with a NaN anywhere both sums are NaN, which tests nothing).
/// Tolerance: relative 1e-5, absolute 1e-6 times the case's rounding scale.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class SpecialValueParityTests
{
    private const double Relative = 1e-5;
    private const double Absolute = 1e-6;

    private static readonly float[] Unbounded =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-39f, -3e-39f, 1.17549435e-38f, 0.5f, -1f, 1f, 3f, -7.25f,
        1e20f, -1e20f, 3e38f, -3e38f, float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    /// <summary>BCE's input and target must lie in [0, 1] (torch raises otherwise): its specials are the ends and what is near them.</summary>
    private static readonly float[] UnitInterval =
    [
        0f, -0f, float.Epsilon, 1e-39f, 1e-30f, 1e-12f, 1e-7f, 0.25f, 0.5f, 0.99999994f, 1f,
    ];

    public static TheoryData<string> Losses() =>
    [
        "L1Loss", "MSELoss", "SmoothL1Loss", "SmoothL1Loss(beta=0)", "SmoothL1Loss(beta=2)", "HuberLoss", "HuberLoss(delta=2.5)",
        "BCELoss", "BCELoss(weight)", "BCEWithLogitsLoss", "BCEWithLogitsLoss(weight)(pos_weight)",
        "KLDivLoss", "KLDivLoss(log_target)", "PoissonNLLLoss", "PoissonNLLLoss(log_input=False, full=True)",
        "PoissonNLLLoss(log_input=True, full=True)", "SoftMarginLoss", "HingeEmbeddingLoss", "HingeEmbeddingLoss(margin=-0.5)",
    ];

    [Theory]
    [MemberData(nameof(Losses))]
    public void Every_pair_of_special_values_gives_torchs_values_and_gradients(string name)
    {
        ElementwiseLossCase loss = Find(name);
        LossInputs inputs = Pairs(loss, name, finiteOnly: false);
        float[] upstream = new ParityData(11).Uniform(inputs.Length, -2f, 2f);
        var torch32 = TorchSide(loss, inputs, Reduction.None, upstream, torch.ScalarType.Float32);
        var torch64 = TorchSide(loss, inputs, Reduction.None, upstream, torch.ScalarType.Float64);
        float[] valueScale = loss.ValueScale(inputs);
        float[] gradientScale = loss.GradientScale(inputs);
        for (int i = 0; i < gradientScale.Length; i++)
        {
            gradientScale[i] *= Math.Abs(upstream[i]);
        }

        float[] values = Filled(inputs.Length);
        loss.ForwardNone(inputs, values);
        Compare(torch32.Value, torch64.Value, values, $"{name} ForwardNone", valueScale);

        float[] grad = Filled(inputs.Length);
        loss.BackwardNone(inputs, upstream, grad);
        Compare(torch32.InputGrad, torch64.InputGrad, grad, $"{name} BackwardNone", gradientScale);

        var module = ModuleSide(loss, inputs, Reduction.None, upstream);
        Compare(torch32.Value, torch64.Value, module.Value, $"{name} module", valueScale);
        Compare(torch32.InputGrad, torch64.InputGrad, module.InputGrad, $"{name} module input gradient", gradientScale);
        CompareTargetGradients(loss, torch32, torch64, module, $"{name} module target gradient", TargetScale(loss, inputs, gradientScale));
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Sums_and_means_over_the_finite_special_values_are_torchs(string name)
    {
        ElementwiseLossCase loss = Find(name);
        LossInputs inputs = Pairs(loss, name, finiteOnly: true);
        foreach (Reduction reduction in new[] { Reduction.Sum, Reduction.Mean })
        {
            float[] upstream = [1.75f];
            var torch32 = TorchSide(loss, inputs, reduction, upstream, torch.ScalarType.Float32);
            var torch64 = TorchSide(loss, inputs, reduction, upstream, torch.ScalarType.Float64);
            float[] valueScale = loss.ValueScale(inputs);
            double summedScale = 0;
            foreach (float scale in valueScale)
            {
                summedScale += scale;
            }

            float[] gradientScale = loss.GradientScale(inputs);
            float perElement = upstream[0] / (reduction == Reduction.Mean ? inputs.Length : 1);
            for (int i = 0; i < gradientScale.Length; i++)
            {
                gradientScale[i] *= perElement;
            }

            string what = $"{name} reduction {reduction}";
            float[] reducedScale = [(float)(summedScale / (reduction == Reduction.Mean ? inputs.Length : 1))];
            Compare(torch32.Value, torch64.Value, [loss.Forward(inputs, reduction)], $"{what} Forward", reducedScale);

            float[] grad = Filled(inputs.Length);
            loss.Backward(inputs, grad, reduction, upstream[0]);
            Compare(torch32.InputGrad, torch64.InputGrad, grad, $"{what} Backward", gradientScale);

            var module = ModuleSide(loss, inputs, reduction, upstream);
            Compare(torch32.Value, torch64.Value, module.Value, $"{what} module", reducedScale);
            Compare(torch32.InputGrad, torch64.InputGrad, module.InputGrad, $"{what} module input gradient", gradientScale);
            CompareTargetGradients(loss, torch32, torch64, module, $"{what} module target gradient", TargetScale(loss, inputs, gradientScale));
        }
    }

    /// <summary>Only a differentiable target has gradients to compare; a label's and a refused one's stay unset on both sides.</summary>
    private static void CompareTargetGradients(
        ElementwiseLossCase loss, (float[] Value, float[] InputGrad, float[]? TargetGrad) torch32, (float[] Value, float[] InputGrad, float[]? TargetGrad) torch64,
        (float[] Value, float[] InputGrad, float[]? TargetGrad) module, string what, float[] scale)
    {
        if (loss.TargetKind != LossTarget.Differentiable)
        {
            Assert.Null(torch32.TargetGrad);
            Assert.Null(module.TargetGrad);
            return;
        }

        Compare(torch32.TargetGrad!, torch64.TargetGrad!, module.TargetGrad, what, scale);
    }

    private static void Compare(float[] torch32, float[] torch64, ReadOnlySpan<float> actual, string what, float[] scale) =>
        Closeness.AssertCloseToEither(torch32, torch64, actual, Relative, Absolute, what, scale);

    /// <summary>BCE's target gradient is -logit(x) (unbounded near 0 and 1): its rounding is relative to |logit(x)|, as its value's.</summary>
    private static float[] TargetScale(ElementwiseLossCase loss, LossInputs inputs, float[] gradientScale)
    {
        float[] scale = (float[])gradientScale.Clone();
        if (loss is BceCase)
        {
            for (int i = 0; i < scale.Length; i++)
            {
                float x = inputs.Input[i];
                scale[i] *= 1f + Math.Abs(MathF.Log(x) - MathF.Log(1f - x));
            }
        }

        return scale;
    }

    /// <summary>torch's loss, input gradient and target gradient for the upstream gradient, computed in the given precision and rounded to float32.</summary>
    private static (float[] Value, float[] InputGrad, float[]? TargetGrad) TorchSide(
        ElementwiseLossCase loss, LossInputs inputs, Reduction reduction, float[] upstream, torch.ScalarType type)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor x = TorchConvert.ToTorch(inputs.Input, inputs.Shape, requiresGrad: true, type: type);
        // torch refuses a target that requires grad for SoftMarginLoss; a label target (HingeEmbeddingLoss) may.
        torch.Tensor y = TorchConvert.ToTorch(inputs.Target, inputs.Shape, requiresGrad: loss.TargetKind != LossTarget.NotDifferentiable, type: type);
        torch.Tensor value = loss.Torch(x, y, inputs, ElementwiseParity.ToTorch(reduction));
        torch.Tensor gradient = reduction == Reduction.None
            ? TorchConvert.ToTorch(upstream, inputs.Shape, type: type)
            : torch.tensor((double)upstream[0]).to_type(type);
        value.backward([gradient]);
        return (TorchConvert.ToArray(value), TorchConvert.ToArray(x.grad!), y.grad is null ? null : TorchConvert.ToArray(y.grad));
    }

    /// <summary>The same through the FastLoss module and its autograd, with both input and target requiring grad.</summary>
    private static (float[] Value, float[] InputGrad, float[]? TargetGrad) ModuleSide(
        ElementwiseLossCase loss, LossInputs inputs, Reduction reduction, float[] upstream)
    {
        var input = Tensor.FromValues(inputs.Input, inputs.Shape);
        var target = Tensor.FromValues(inputs.Target, inputs.Shape);
        input.RequiresGrad = true;
        target.RequiresGrad = loss.TargetKind != LossTarget.NotDifferentiable;
        Tensor value = loss.Module(input, target, inputs, reduction);
        float[] values = value.ToArray();
        value.Backward(reduction == Reduction.None ? Tensor.FromValues(upstream, inputs.Shape) : Tensor.Scalar(upstream[0]));
        return (values, input.Grad!.ToArray(), target.Grad?.ToArray());
    }

    private static ElementwiseLossCase Find(string name) => name switch
    {
        "SmoothL1Loss(beta=0)" => new SmoothL1Case(0f),
        "SmoothL1Loss(beta=2)" => new SmoothL1Case(2f),
        "HuberLoss(delta=2.5)" => new HuberCase(2.5f),
        "BCELoss(weight)" => new BceCase(weighted: true),
        "BCEWithLogitsLoss(weight)(pos_weight)" => new BceWithLogitsCase(weighted: true, posWeighted: true),
        "KLDivLoss(log_target)" => new KLDivCase(logTarget: true),
        "PoissonNLLLoss(log_input=False, full=True)" => new PoissonNllCase(logInput: false, full: true),
        "PoissonNLLLoss(log_input=True, full=True)" => new PoissonNllCase(logInput: true, full: true),
        "HingeEmbeddingLoss(margin=-0.5)" => new HingeEmbeddingCase(-0.5f),
        _ => LossCatalog.ByName[name],
    };

    /// <summary>Every (input, target) pair of the loss's special values, as a 1-D tensor with the case's options.</summary>
    private static LossInputs Pairs(ElementwiseLossCase loss, string name, bool finiteOnly)
    {
        bool probabilities = name.StartsWith("BCELoss", StringComparison.Ordinal);
        float[] values = probabilities ? UnitInterval : Unbounded;
        // A known difference: FastLoss multiplies the weight into a gradient before the upstream gradient, torch
        // after it, so where weight times gradient passes float's maximum (a logit or a target beyond 1e38) one order
        // overflows and the other does not. Weighted cases keep their values below 1e30 (and the infinities).
        bool weighted = name.Contains("(weight)", StringComparison.Ordinal) || loss.ScalesUpstreamIntoAPart;
        var kept = new List<float>();
        foreach (float value in values)
        {
            bool nearMaximum = Math.Abs(value) > 1e30f && float.IsFinite(value);
            if ((!finiteOnly || float.IsFinite(value)) && !(weighted && nearMaximum))
            {
                kept.Add(value);
            }
        }

        int count = kept.Count * kept.Count;
        LossInputs inputs = loss.MakeInputs(new ParityData(10), [count]);
        for (int i = 0; i < kept.Count; i++)
        {
            for (int j = 0; j < kept.Count; j++)
            {
                inputs.Input[(i * kept.Count) + j] = kept[i];
                inputs.Target[(i * kept.Count) + j] = kept[j];
            }
        }

        return inputs;
    }

    /// <summary>An output buffer filled with NaN, so an element a kernel forgets to write cannot pass.</summary>
    private static float[] Filled(int count)
    {
        var buffer = new float[count];
        Array.Fill(buffer, float.NaN);
        return buffer;
    }
}
