using FastLoss.Generation;
using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// Runs one elementwise loss case through libtorch (forward, then autograd backward) and through every
/// FastLoss entry point, and compares values and input gradients.
/// </summary>
/// <remarks>
/// Tolerances, |FastLoss - torch| &lt;= relative * |torch| + absolute * scale (scale: the case's per-element
/// rounding size, see <see cref="ElementwiseLossCase.ValueScale"/>):
/// per-element values: relative 2e-6, absolute 1e-6 (a few float32 ulps: libm versus libtorch's vectorised
/// log/exp, and the order of the arithmetic); reduced values: relative 1e-5 (summation order over up to
/// 4099 terms: libtorch's cascade sum versus FastLoss's vector lanes), absolute 1e-6 times the summed scale;
/// gradients: relative 1e-5, absolute 1e-6 times the scale times the factor the reduction and the upstream
/// gradient apply (1/N for mean).
/// </remarks>
internal static class ElementwiseParity
{
    private const double ValueRelative = 2e-6;
    private const double ValueAbsolute = 1e-6;
    private const double ReducedRelative = 1e-5;
    private const double ReducedAbsolute = 1e-6;
    private const double GradientRelative = 1e-5;
    private const double GradientAbsolute = 1e-6;

    public static void Check(ElementwiseLossCase loss, int[] shape, Reduction reduction)
    {
        var data = new ParityData(Seed(shape, reduction));
        LossInputs inputs = loss.MakeInputs(data, shape);
        if (reduction == Reduction.None)
        {
            CheckUnreduced(loss, inputs, data);
        }
        else
        {
            CheckReduced(loss, inputs, reduction, data);
        }
    }

    /// <summary>A seed that differs between shapes and reductions and is the same on every run.</summary>
    public static int Seed(int[] shape, Reduction reduction)
    {
        int seed = 17;
        foreach (int size in shape)
        {
            seed = (seed * 31) + size;
        }

        return (seed * 3) + (int)reduction;
    }

    private static void CheckUnreduced(ElementwiseLossCase loss, LossInputs inputs, ParityData data)
    {
        float[] upstream = data.Uniform(inputs.Length, -2f, 2f);
        var (torchLoss, torchGrad) = TorchForwardBackward(loss, inputs, Reduction.None, upstream);
        float[] valueScale = loss.ValueScale(inputs);
        float[] gradientScale = loss.GradientScale(inputs);
        for (int i = 0; i < gradientScale.Length; i++)
        {
            gradientScale[i] *= Math.Abs(upstream[i]);
        }

        float[] values = Filled(inputs.Length);
        loss.ForwardNone(inputs, values);
        Closeness.AssertClose(torchLoss, values, ValueRelative, ValueAbsolute, $"{loss} ForwardNone", valueScale);

        float[] grad = Filled(inputs.Length);
        loss.BackwardNone(inputs, upstream, grad);
        Closeness.AssertClose(torchGrad, grad, GradientRelative, GradientAbsolute, $"{loss} BackwardNone", gradientScale);

        Tensor moduleLoss = loss.Module(Tensor.FromValues(inputs.Input, inputs.Shape), Tensor.FromValues(inputs.Target, inputs.Shape), inputs, Reduction.None);
        Assert.Equal(inputs.Shape, moduleLoss.Shape.ToArray());
        Closeness.AssertClose(torchLoss, moduleLoss.Span, ValueRelative, ValueAbsolute, $"{loss} module, reduction none", valueScale);
        CheckTargetGradient(loss, inputs, Reduction.None, upstream, Ones(upstream, 1f));
    }

    /// <summary>
    /// A target that requires grad gets torch's gradient through the module (the input's is unchanged); a label
    /// target's grad stays unset, as torch's; where torch refuses a target that requires grad, FastLoss does, in its words.
    /// </summary>
    private static void CheckTargetGradient(ElementwiseLossCase loss, LossInputs inputs, Reduction reduction, float[] upstream, float[] scale)
    {
        if (loss.TargetKind == LossTarget.NotDifferentiable)
        {
            CheckTargetRefused(loss, inputs, reduction);
            return;
        }

        if (loss.TargetKind == LossTarget.Label)
        {
            CheckLabelTarget(loss, inputs, reduction, upstream);
            return;
        }

        float[] torchTargetGrad;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(inputs.Input, inputs.Shape, requiresGrad: true);
            torch.Tensor y = TorchConvert.ToTorch(inputs.Target, inputs.Shape, requiresGrad: true);
            torch.Tensor value = loss.Torch(x, y, inputs, ToTorch(reduction));
            value.backward([reduction == Reduction.None ? TorchConvert.ToTorch(upstream, inputs.Shape) : torch.tensor(upstream[0])]);
            torchTargetGrad = TorchConvert.ToArray(y.grad!);
        }

        var input = Tensor.FromValues(inputs.Input, inputs.Shape);
        var target = Tensor.FromValues(inputs.Target, inputs.Shape);
        target.RequiresGrad = true;
        Tensor moduleLoss = loss.Module(input, target, inputs, reduction);
        moduleLoss.Backward(reduction == Reduction.None ? Tensor.FromValues(upstream, inputs.Shape) : Tensor.Scalar(upstream[0]));
        Closeness.AssertClose(torchTargetGrad, target.Grad!.Span, GradientRelative, GradientAbsolute, $"{loss} reduction {reduction}: target gradient", scale);
    }

    private static void CheckTargetRefused(ElementwiseLossCase loss, LossInputs inputs, Reduction reduction)
    {
        string torchMessage;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(inputs.Input, inputs.Shape, requiresGrad: true);
            torch.Tensor y = TorchConvert.ToTorch(inputs.Target, inputs.Shape, requiresGrad: true);
            torchMessage = Assert.ThrowsAny<Exception>(() => loss.Torch(x, y, inputs, ToTorch(reduction))).Message.Split('\n')[0];
        }

        var input = Tensor.FromValues(inputs.Input, inputs.Shape);
        var target = Tensor.FromValues(inputs.Target, inputs.Shape);
        input.RequiresGrad = true;
        target.RequiresGrad = true;
        var exception = Assert.Throws<ArgumentException>(() => loss.Module(input, target, inputs, reduction));
        Assert.StartsWith(torchMessage, exception.Message, StringComparison.Ordinal);
        Assert.Null(input.Grad);
    }

    private static void CheckLabelTarget(ElementwiseLossCase loss, LossInputs inputs, Reduction reduction, float[] upstream)
    {
        bool torchTargetGradIsUnset;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(inputs.Input, inputs.Shape, requiresGrad: true);
            torch.Tensor y = TorchConvert.ToTorch(inputs.Target, inputs.Shape, requiresGrad: true);
            torch.Tensor value = loss.Torch(x, y, inputs, ToTorch(reduction));
            value.backward([reduction == Reduction.None ? TorchConvert.ToTorch(upstream, inputs.Shape) : torch.tensor(upstream[0])]);
            torchTargetGradIsUnset = y.grad is null;
        }

        var input = Tensor.FromValues(inputs.Input, inputs.Shape);
        var target = Tensor.FromValues(inputs.Target, inputs.Shape);
        input.RequiresGrad = true;
        target.RequiresGrad = true;
        Tensor moduleLoss = loss.Module(input, target, inputs, reduction);
        moduleLoss.Backward(reduction == Reduction.None ? Tensor.FromValues(upstream, inputs.Shape) : Tensor.Scalar(upstream[0]));
        Assert.True(torchTargetGradIsUnset, $"{loss}: torch gave the label target a gradient");
        Assert.Null(target.Grad);
        Assert.NotNull(input.Grad);
    }

    private static float[] Ones(float[] like, float value)
    {
        var ones = new float[like.Length];
        Array.Fill(ones, value);
        return ones;
    }

    private static void CheckReduced(ElementwiseLossCase loss, LossInputs inputs, Reduction reduction, ParityData data)
    {
        float upstream = data.Uniform(0.5f, 2f);
        var (torchLoss, torchGrad) = TorchForwardBackward(loss, inputs, reduction, [1f]);
        var (_, torchScaledGrad) = TorchForwardBackward(loss, inputs, reduction, [upstream]);
        float expected = torchLoss[0];

        float[] valueScale = loss.ValueScale(inputs);
        double reducedAbsolute = ReducedAbsolute * Sum(valueScale) / (reduction == Reduction.Mean ? Math.Max(1, inputs.Length) : 1);
        float[] gradientScale = loss.GradientScale(inputs);
        float perElement = reduction == Reduction.Mean ? 1f / Math.Max(1, inputs.Length) : 1f;
        for (int i = 0; i < gradientScale.Length; i++)
        {
            gradientScale[i] *= perElement;
        }

        string what = $"{loss} reduction {reduction}";
        Closeness.AssertClose(expected, loss.Forward(inputs, reduction), ReducedRelative, reducedAbsolute, $"{what} Forward");

        float[] grad = Filled(inputs.Length);
        loss.Backward(inputs, grad, reduction, upstream);
        float[] upstreamScale = Scaled(gradientScale, upstream);
        Closeness.AssertClose(torchScaledGrad, grad, GradientRelative, GradientAbsolute, $"{what} Backward(upstream {upstream})", upstreamScale);

        float[] fusedGrad = Filled(inputs.Length);
        float fused = loss.ForwardBackward(inputs, fusedGrad, reduction);
        Closeness.AssertClose(expected, fused, ReducedRelative, reducedAbsolute, $"{what} ForwardBackward value");
        Closeness.AssertClose(torchGrad, fusedGrad, GradientRelative, GradientAbsolute, $"{what} ForwardBackward gradient", gradientScale);

        var input = Tensor.FromValues(inputs.Input, inputs.Shape);
        input.RequiresGrad = true;
        Tensor moduleLoss = loss.Module(input, Tensor.FromValues(inputs.Target, inputs.Shape), inputs, reduction);
        Assert.Equal(0, moduleLoss.Rank);
        Closeness.AssertClose(expected, moduleLoss.Item(), ReducedRelative, reducedAbsolute, $"{what} module forward");
        moduleLoss.Backward();
        Assert.NotNull(input.Grad);
        Closeness.AssertClose(torchGrad, input.Grad.Span, GradientRelative, GradientAbsolute, $"{what} module backward", gradientScale);
        CheckTargetGradient(loss, inputs, reduction, [upstream], Ones(gradientScale, perElement * upstream));
    }

    /// <summary>torch's loss values and the input gradient autograd computes for the given upstream gradient.</summary>
    private static (float[] Loss, float[] InputGrad) TorchForwardBackward(
        ElementwiseLossCase loss, LossInputs inputs, Reduction reduction, float[] upstream)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor x = TorchConvert.ToTorch(inputs.Input, inputs.Shape, requiresGrad: true);
        torch.Tensor y = TorchConvert.ToTorch(inputs.Target, inputs.Shape);
        torch.Tensor value = loss.Torch(x, y, inputs, ToTorch(reduction));
        torch.Tensor upstreamTensor = reduction == Reduction.None
            ? TorchConvert.ToTorch(upstream, inputs.Shape)
            : torch.tensor(upstream[0]);
        value.backward([upstreamTensor]);
        torch.Tensor? grad = x.grad;
        Assert.NotNull(grad);
        return (TorchConvert.ToArray(value), TorchConvert.ToArray(grad));
    }

    public static torch.nn.Reduction ToTorch(Reduction reduction) => reduction switch
    {
        Reduction.None => torch.nn.Reduction.None,
        Reduction.Sum => torch.nn.Reduction.Sum,
        _ => torch.nn.Reduction.Mean,
    };

    /// <summary>An output buffer filled with NaN, so an element a kernel forgets to write cannot pass.</summary>
    private static float[] Filled(int count)
    {
        var buffer = new float[count];
        Array.Fill(buffer, float.NaN);
        return buffer;
    }

    private static float[] Scaled(float[] values, float factor)
    {
        var scaled = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            scaled[i] = values[i] * Math.Abs(factor);
        }

        return scaled;
    }

    private static double Sum(float[] values)
    {
        double sum = 0;
        foreach (float value in values)
        {
            sum += value;
        }

        return sum;
    }
}
