using FastLoss.Autograd;
using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// Runs one classification loss case through libtorch (forward, then autograd backward with the same upstream
/// gradients) and through every FastLoss entry point, and compares values and input gradients within the case's
/// <see cref="ClassTolerance"/>.
/// </summary>
internal static class ClassificationParity
{
    public static void Check(ClassLossCase loss, Reduction reduction, ParityData data)
    {
        if (reduction == Reduction.None)
        {
            CheckUnreduced(loss, data);
        }
        else
        {
            CheckReduced(loss, reduction, data);
        }
    }

    /// <summary>A seed that differs between cases and is the same on every run.</summary>
    public static int Seed(int[] shape, params int[] options)
    {
        int seed = 23;
        foreach (int size in shape)
        {
            seed = (seed * 31) + size;
        }

        foreach (int option in options)
        {
            seed = (seed * 17) + option;
        }

        return seed;
    }

    private static void CheckUnreduced(ClassLossCase loss, ParityData data)
    {
        ClassificationInputs inputs = loss.Inputs;
        int entries = inputs.Layout.Entries;
        int length = inputs.Layout.Length;
        ClassTolerance tolerance = loss.Tolerance;
        float[] upstream = data.Uniform(entries, -2f, 2f);
        float constant = data.Uniform(0.5f, 2f);
        var (torchLoss, torchGrad) = TorchForwardBackward(loss, Reduction.None, upstream);
        var (_, torchOnesGrad) = TorchForwardBackward(loss, Reduction.None, Filled(entries, 1f));
        var (_, torchConstantGrad) = TorchForwardBackward(loss, Reduction.None, Filled(entries, constant));

        float[] valueScale = loss.EntryScale();
        float[] gradientScale = loss.GradientScale();
        float[] upstreamScale = PerEntryUpstreamScale(inputs, gradientScale, upstream);
        string what = $"{loss}, reduction none";

        float[] values = Filled(entries, float.NaN);
        loss.ForwardNone(values);
        Closeness.AssertClose(torchLoss, values, tolerance.ValueRelative, tolerance.ValueAbsolute, $"{what}: ForwardNone", valueScale);

        float[] grad = Filled(length, float.NaN);
        loss.BackwardNone(upstream, grad);
        Closeness.AssertClose(torchGrad, grad, tolerance.GradientRelative, tolerance.GradientAbsolute, $"{what}: BackwardNone", upstreamScale);

        grad = Filled(length, float.NaN);
        loss.Backward(grad, Reduction.None, constant);
        Closeness.AssertClose(torchConstantGrad, grad, tolerance.GradientRelative, tolerance.GradientAbsolute, $"{what}: Backward(upstream {constant})", Scaled(gradientScale, constant));

        float[] fusedValues = Filled(entries, float.NaN);
        float[] fusedGrad = Filled(length, float.NaN);
        if (loss.TryForwardBackwardNone(fusedValues, fusedGrad))
        {
            Closeness.AssertClose(torchLoss, fusedValues, tolerance.ValueRelative, tolerance.ValueAbsolute, $"{what}: ForwardBackwardNone value", valueScale);
            Closeness.AssertClose(torchOnesGrad, fusedGrad, tolerance.GradientRelative, tolerance.GradientAbsolute, $"{what}: ForwardBackwardNone gradient", gradientScale);
        }

        GradMode.ReleaseThreadResults();
        Tensor input = RequiringGrad(inputs);
        Tensor moduleLoss = loss.Module(input, Reduction.None);
        Assert.Equal(inputs.EntryShape, moduleLoss.Shape.ToArray());
        Closeness.AssertClose(torchLoss, moduleLoss.Span, tolerance.ValueRelative, tolerance.ValueAbsolute, $"{what}: module forward", valueScale);
        UpstreamGradient.Backward(moduleLoss, upstream);
        Assert.NotNull(input.Grad);
        Closeness.AssertClose(torchGrad, input.Grad.Span, tolerance.GradientRelative, tolerance.GradientAbsolute, $"{what}: module backward", upstreamScale);
    }

    private static void CheckReduced(ClassLossCase loss, Reduction reduction, ParityData data)
    {
        ClassificationInputs inputs = loss.Inputs;
        ClassTolerance tolerance = loss.Tolerance;
        float upstream = data.Uniform(0.5f, 2f);
        var (torchLoss, torchGrad) = TorchForwardBackward(loss, reduction, [1f]);
        var (_, torchScaledGrad) = TorchForwardBackward(loss, reduction, [upstream]);
        float expected = torchLoss[0];

        // Mean's factor 1 / denominator; with nothing kept every gradient is exactly 0 (the factor is unused).
        double denominator = inputs.MeanDenominator();
        double factor = reduction == Reduction.Sum ? 1 : denominator > 0 ? 1 / denominator : 0;
        double reducedAbsolute = tolerance.ValueAbsolute * Sum(loss.EntryScale()) * factor;
        float[] gradientScale = Scaled(loss.GradientScale(), (float)factor);
        string what = $"{loss}, reduction {reduction}";

        Closeness.AssertClose(expected, loss.Forward(reduction), tolerance.ReducedRelative, reducedAbsolute, $"{what}: Forward");

        float[] grad = Filled(inputs.Layout.Length, float.NaN);
        loss.Backward(grad, reduction, upstream);
        Closeness.AssertClose(torchScaledGrad, grad, tolerance.GradientRelative, tolerance.GradientAbsolute, $"{what}: Backward(upstream {upstream})", Scaled(gradientScale, upstream));

        float[] fusedGrad = Filled(inputs.Layout.Length, float.NaN);
        float fused = loss.ForwardBackward(fusedGrad, reduction);
        Closeness.AssertClose(expected, fused, tolerance.ReducedRelative, reducedAbsolute, $"{what}: ForwardBackward value");
        Closeness.AssertClose(torchGrad, fusedGrad, tolerance.GradientRelative, tolerance.GradientAbsolute, $"{what}: ForwardBackward gradient", gradientScale);

        GradMode.ReleaseThreadResults();
        Tensor input = RequiringGrad(inputs);
        Tensor moduleLoss = loss.Module(input, reduction);
        Assert.Equal(0, moduleLoss.Rank);
        Closeness.AssertClose(expected, moduleLoss.Item(), tolerance.ReducedRelative, reducedAbsolute, $"{what}: module forward");
        moduleLoss.Backward();
        Assert.NotNull(input.Grad);
        Closeness.AssertClose(torchGrad, input.Grad.Span, tolerance.GradientRelative, tolerance.GradientAbsolute, $"{what}: module backward", gradientScale);
    }

    /// <summary>torch's loss and the input gradient autograd computes for the given upstream gradient (one value for a reduced loss).</summary>
    private static (float[] Loss, float[] InputGrad) TorchForwardBackward(ClassLossCase loss, Reduction reduction, float[] upstream)
    {
        using var scope = torch.NewDisposeScope();
        ClassificationInputs inputs = loss.Inputs;
        torch.Tensor x = TorchConvert.ToTorch(inputs.Logits, inputs.Shape, requiresGrad: true);
        torch.Tensor value = loss.Torch(x, reduction);
        torch.Tensor upstreamTensor = reduction == Reduction.None
            ? TorchConvert.ToTorch(upstream, inputs.EntryShape)
            : torch.tensor(upstream[0]);
        value.backward([upstreamTensor]);
        torch.Tensor? grad = x.grad;
        Assert.NotNull(grad);
        return (TorchConvert.ToArray(value), TorchConvert.ToArray(grad));
    }

    private static Tensor RequiringGrad(ClassificationInputs inputs)
    {
        var input = Tensor.FromValues(inputs.Logits, inputs.Shape);
        input.RequiresGrad = true;
        return input;
    }

    /// <summary>The gradient scale of each element times |upstream| of its entry.</summary>
    private static float[] PerEntryUpstreamScale(ClassificationInputs inputs, float[] gradientScale, float[] upstream)
    {
        var scale = new float[gradientScale.Length];
        for (int n = 0; n < upstream.Length; n++)
        {
            for (int c = 0; c < inputs.Layout.Classes; c++)
            {
                int at = inputs.ElementOf(n, c);
                scale[at] = gradientScale[at] * Math.Abs(upstream[n]);
            }
        }

        return scale;
    }

    /// <summary>A buffer filled with <paramref name="value"/>; NaN for outputs, so an element a kernel forgets to write cannot pass.</summary>
    private static float[] Filled(int count, float value)
    {
        var buffer = new float[count];
        Array.Fill(buffer, value);
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
