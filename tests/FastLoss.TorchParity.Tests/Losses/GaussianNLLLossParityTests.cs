using System.Globalization;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// GaussianNLLLoss against libtorch. TorchSharp's gaussian_nll_loss computes its whole loss under no_grad (its result
/// has no gradient), so the torch side is Python's F.gaussian_nll_loss written with torch ops as torch writes it: var
/// broadcast as torch accepts it, cloned and clamped in place at eps under no_grad, then
/// 0.5 (log var + (input - target)^2 / var), plus 0.5 log(2 pi) with full. Values and the gradients of the input, the
/// target and var (broadcast ones summed back by autograd), every reduction, variances below eps and at 0.
/// Tolerances: 1e-5 relative; absolute 1e-6 times the terms' size, (input - target)^2 / var.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class GaussianNLLLossParityTests
{
    public static TheoryData<int[], int[], Reduction, bool, float> Cases()
    {
        var cases = new TheoryData<int[], int[], Reduction, bool, float>();
        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            foreach (int length in (int[])[0, 1, 7, 17, 33, 257, 4099])
            {
                cases.Add([length], [length], reduction, false, 1e-6f);
            }

            cases.Add([4, 5], [4, 5], reduction, true, 1e-6f);
            cases.Add([4, 5], [4], reduction, false, 1e-6f);        // one fewer dimension: one variance per row
            cases.Add([3, 2, 7], [3, 2, 1], reduction, true, 0.1f); // a last dimension of 1
            cases.Add([64], [64], reduction, true, 0.5f);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int[] shape, int[] varShape, Reduction reduction, bool full, float eps)
    {
        var data = new ParityData(ElementwiseParity.Seed(shape, reduction) + varShape.Length);
        int n = TensorShape.ElementCount(shape);
        float[] input = data.Uniform(n, -3f, 3f), target = data.Uniform(n, -3f, 3f);
        float[] var = data.Uniform(TensorShape.ElementCount(varShape), 0.01f, 4f);
        for (int i = 0; i < var.Length; i += 6)
        {
            var[i] = i % 12 == 0 ? 0f : eps * 0.5f; // clamped at eps: torch's gradient still flows
        }

        float[] upstream = data.Uniform(reduction == Reduction.None ? n : 1, -2f, 2f);
        var (value, inputGrad, targetGrad, varGrad) = Torch(shape, varShape, reduction, full, eps, input, target, var, upstream);
        string what = string.Create(CultureInfo.InvariantCulture, $"GaussianNLLLoss(full={full}, eps={eps}) {reduction} {TensorShape.Format(shape)} var {TensorShape.Format(varShape)}");

        float[] scale = TermScale(input, target, var, n, eps);
        float perElement = reduction == Reduction.Mean ? 1f / Math.Max(1, n) : 1f;
        float[] gradientScale = new float[n];
        for (int i = 0; i < n; i++)
        {
            gradientScale[i] = scale[i] * (reduction == Reduction.None ? Math.Abs(upstream[i]) : perElement * Math.Abs(upstream[0]));
        }

        var fastInput = Tensor.FromValues(input, shape);
        var fastTarget = Tensor.FromValues(target, shape);
        var fastVar = Tensor.FromValues(var, varShape);
        fastInput.RequiresGrad = fastTarget.RequiresGrad = fastVar.RequiresGrad = true;
        Tensor loss = new GaussianNLLLoss(full, eps, reduction).Forward(fastInput, fastTarget, fastVar);
        double summed = scale.Sum();
        float[] valueScale = reduction == Reduction.None ? scale : [(float)(summed * perElement)];
        Closeness.AssertClose(value, loss.Span, 1e-5, 1e-6, what + " module value", valueScale);
        loss.Backward(reduction == Reduction.None ? Tensor.FromValues(upstream, shape) : Tensor.Scalar(upstream[0]));
        Closeness.AssertClose(inputGrad, fastInput.Grad!.Span, 1e-5, 1e-6, what + " input gradient", gradientScale);
        Closeness.AssertClose(targetGrad, fastTarget.Grad!.Span, 1e-5, 1e-6, what + " target gradient", gradientScale);
        float[] varScale = VarScale(gradientScale, var.Length, scale, var, eps);
        Closeness.AssertClose(varGrad, fastVar.Grad!.Span, 1e-5, 1e-6, what + " var gradient", varScale);

        if (varShape.SequenceEqual(shape) && reduction != Reduction.None)
        {
            // The span functions, where var has the input's shape.
            Closeness.AssertClose(value[0], GaussianNll.Forward(input, var, target, reduction, full, eps), 1e-5, 1e-6 * summed * perElement, what + " Forward");
            float[] gi = new float[n], gv = new float[n];
            GaussianNll.ForwardBackward(input, var, target, gi, gv, reduction, full, eps);
            for (int i = 0; i < n; i++)
            {
                gi[i] *= upstream[0];
                gv[i] *= upstream[0];
            }

            Closeness.AssertClose(inputGrad, gi, 1e-5, 1e-6, what + " ForwardBackward input", gradientScale);
            Closeness.AssertClose(varGrad, gv, 1e-5, 1e-6, what + " ForwardBackward var", varScale);
        }
    }

    [Fact]
    public void A_negative_variance_and_a_wrong_var_shape_are_refused_in_torchs_words()
    {
        var loss = new GaussianNLLLoss();
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Forward(Tensor.FromValues([1f, 2f], 2), Tensor.FromValues([0f, 0f], 2), Tensor.FromValues([1f, -0.5f], 2)));
        Assert.StartsWith("var has negative entry/entries", negative.Message, StringComparison.Ordinal);
        var shape = Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.FromValues(new float[12], 3, 4), Tensor.FromValues(new float[12], 3, 4), Tensor.FromValues(new float[4], 4)));
        Assert.StartsWith("var is of incorrect size", shape.Message, StringComparison.Ordinal);
        float[] gradient = [5f, 5f];
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianNll.ForwardBackward([1f, 2f], [1f, -1f], [0f, 0f], gradient, new float[2]));
        Assert.Equal([5f, 5f], gradient);
    }

    private static (float[] Value, float[] InputGrad, float[] TargetGrad, float[] VarGrad) Torch(
        int[] shape, int[] varShape, Reduction reduction, bool full, float eps, float[] input, float[] target, float[] var, float[] upstream)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor x = TorchConvert.ToTorch(input, shape, requiresGrad: true);
        torch.Tensor y = TorchConvert.ToTorch(target, shape, requiresGrad: true);
        torch.Tensor v = TorchConvert.ToTorch(var, varShape, requiresGrad: true);
        torch.Tensor broadcast = varShape.Length == shape.Length - 1 ? v.unsqueeze(-1) : v;
        torch.Tensor clamped = broadcast.clone();
        using (torch.no_grad())
        {
            clamped.clamp_(min: eps);
        }

        torch.Tensor loss = 0.5 * (torch.log(clamped) + ((x - y).pow(2) / clamped));
        if (full)
        {
            loss = loss + (0.5 * Math.Log(2 * Math.PI));
        }

        torch.Tensor value = reduction switch
        {
            Reduction.None => loss,
            Reduction.Sum => loss.sum(),
            _ => loss.mean(),
        };
        value.backward([reduction == Reduction.None ? TorchConvert.ToTorch(upstream, shape) : torch.tensor(upstream[0])]);
        return (TorchConvert.ToArray(value), TorchConvert.ToArray(x.grad!), TorchConvert.ToArray(y.grad!), TorchConvert.ToArray(v.grad!));
    }

    /// <summary>Each term's size: 1 + |log v| + (x - y)^2 / v, with v clamped at eps (per row for a broadcast var).</summary>
    private static float[] TermScale(float[] input, float[] target, float[] var, int n, float eps)
    {
        var scale = new float[n];
        int width = var.Length == 0 ? 1 : Math.Max(1, n / var.Length);
        for (int i = 0; i < n; i++)
        {
            float v = Math.Max(var[var.Length == n ? i : i / width], eps);
            float d = input[i] - target[i];
            scale[i] = 1f + Math.Abs(MathF.Log(v)) + (d * d / v) + (Math.Abs(d) / v);
        }

        return scale;
    }

    /// <summary>The var gradient's scale: the summed element scales of its row, over the clamped variance.</summary>
    private static float[] VarScale(float[] gradientScale, int count, float[] scale, float[] var, float eps)
    {
        var varScale = new float[count];
        int width = count == 0 ? 1 : Math.Max(1, gradientScale.Length / count);
        for (int i = 0; i < gradientScale.Length; i++)
        {
            int r = count == gradientScale.Length ? i : i / width;
            varScale[r] += gradientScale[i] / Math.Max(var[r], eps);
        }

        return varScale;
    }
}
