using System.Globalization;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// MarginRankingLoss, the first loss of two differentiable inputs, against libtorch: values and the gradients of
/// input1, input2 and the target through every span entry point and the module, for every reduction, margins of
/// either sign, targets of ±1 with pairs exactly at the margin (where torch's clamp_min passes the gradient), and
/// special values. Tolerances as the elementwise parity tests': 2e-6 relative per element, 1e-5 for sums and
/// gradients, 1e-6 absolute times the terms' size (|x1| + |x2| + |margin|).
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class MarginRankingLossParityTests
{
    public static TheoryData<int[], Reduction, float> Cases()
    {
        var cases = new TheoryData<int[], Reduction, float>();
        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            foreach (int[] shape in (int[][])[[0], [1], [7], [15], [17], [33], [100], [257], [4099], [4, 5], [2, 3, 7]])
            {
                cases.Add(shape, reduction, 0f);
            }

            cases.Add([64], reduction, 0.5f);
            cases.Add([31], reduction, -0.3f);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torch(int[] shape, Reduction reduction, float margin)
    {
        var (x1, x2, y) = Inputs(shape, margin, seed: ElementwiseParity.Seed(shape, reduction));
        float[] upstream = new ParityData(3).Uniform(reduction == Reduction.None ? x1.Length : 1, -2f, 2f);
        Check(shape, reduction, margin, x1, x2, y, upstream, TermScale(x1, x2, margin));
    }

    [Fact]
    public void Special_values_match_torch()
    {
        float[] specials = [0f, -0f, 1e-39f, 0.5f, -1f, 1f, 3f, 1e20f, -1e20f, 3e38f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        int count = specials.Length * specials.Length * 2;
        float[] x1 = new float[count], x2 = new float[count], y = new float[count];
        int k = 0;
        foreach (float a in specials)
        {
            foreach (float b in specials)
            {
                foreach (float label in (float[])[1f, -1f])
                {
                    (x1[k], x2[k], y[k]) = (a, b, label);
                    k++;
                }
            }
        }

        float[] upstream = new ParityData(4).Uniform(count, -2f, 2f);
        Check([count], Reduction.None, 0.25f, x1, x2, y, upstream, TermScale(x1, x2, 0.25f));
    }

    private static void Check(int[] shape, Reduction reduction, float margin, float[] x1, float[] x2, float[] y, float[] upstream, float[] scale)
    {
        var torchSide = Torch(shape, reduction, margin, x1, x2, y, upstream);
        string what = string.Create(CultureInfo.InvariantCulture, $"MarginRankingLoss(margin={margin}) {reduction} {TensorShape.Format(shape)}");
        int n = x1.Length;
        float perElement = reduction == Reduction.Mean ? 1f / Math.Max(1, n) : 1f;
        float[] gradientScale = Ones(n, reduction == Reduction.None ? 1f : perElement * Math.Abs(upstream[0]));
        if (reduction == Reduction.None)
        {
            for (int i = 0; i < n; i++)
            {
                gradientScale[i] = Math.Abs(upstream[i]) * (1f + scale[i]);
            }

            float[] values = Filled(n);
            MarginRanking.ForwardNone(x1, x2, y, values, margin);
            Closeness.AssertClose(torchSide.Value, values, 2e-6, 1e-6, what + " ForwardNone", scale);

            float[] g1 = Filled(n), g2 = Filled(n), gy = Filled(n);
            MarginRanking.BackwardNone(x1, x2, y, upstream, g1, g2, margin);
            MarginRanking.TargetBackwardNone(x1, x2, y, upstream, gy, margin);
            Closeness.AssertClose(torchSide.Grad1, g1, 1e-5, 1e-6, what + " BackwardNone input1", gradientScale);
            Closeness.AssertClose(torchSide.Grad2, g2, 1e-5, 1e-6, what + " BackwardNone input2", gradientScale);
            Closeness.AssertClose(torchSide.TargetGrad, gy, 1e-5, 1e-6, what + " TargetBackwardNone", gradientScale);
        }
        else
        {
            double summed = 0;
            foreach (float s in scale)
            {
                summed += s;
            }

            double reducedAbsolute = 1e-6 * summed * perElement;
            Closeness.AssertClose(torchSide.Value[0], MarginRanking.Forward(x1, x2, y, reduction, margin), 1e-5, reducedAbsolute, what + " Forward");

            float[] g1 = Filled(n), g2 = Filled(n), gy = Filled(n);
            MarginRanking.Backward(x1, x2, y, g1, g2, reduction, upstream[0], margin);
            MarginRanking.TargetBackward(x1, x2, y, gy, reduction, upstream[0], margin);
            Closeness.AssertClose(torchSide.Grad1, g1, 1e-5, 1e-6, what + " Backward input1", gradientScale);
            Closeness.AssertClose(torchSide.Grad2, g2, 1e-5, 1e-6, what + " Backward input2", gradientScale);
            Closeness.AssertClose(torchSide.TargetGrad, gy, 1e-5, 1e-6, what + " TargetBackward", gradientScale);

            float fused = MarginRanking.ForwardBackward(x1, x2, y, g1, g2, reduction, margin);
            Closeness.AssertClose(torchSide.Value[0], fused, 1e-5, reducedAbsolute, what + " ForwardBackward value");
            for (int i = 0; i < n; i++)
            {
                g1[i] *= upstream[0];
                g2[i] *= upstream[0];
            }

            Closeness.AssertClose(torchSide.Grad1, g1, 1e-5, 1e-6, what + " ForwardBackward input1", gradientScale);
            Closeness.AssertClose(torchSide.Grad2, g2, 1e-5, 1e-6, what + " ForwardBackward input2", gradientScale);
        }

        // The module, with both inputs and the target requiring grad, backpropagating the same upstream gradient.
        var input1 = Tensor.FromValues(x1, shape);
        var input2 = Tensor.FromValues(x2, shape);
        var target = Tensor.FromValues(y, shape);
        input1.RequiresGrad = input2.RequiresGrad = target.RequiresGrad = true;
        Tensor loss = new MarginRankingLoss(margin, reduction).Forward(input1, input2, target);
        Closeness.AssertClose(torchSide.Value, loss.Span, 1e-5, 1e-6, what + " module value", reduction == Reduction.None ? scale : [(float)Math.Max(1, scale.Sum() * perElement)]);
        loss.Backward(reduction == Reduction.None ? Tensor.FromValues(upstream, shape) : Tensor.Scalar(upstream[0]));
        Closeness.AssertClose(torchSide.Grad1, input1.Grad!.Span, 1e-5, 1e-6, what + " module input1 gradient", gradientScale);
        Closeness.AssertClose(torchSide.Grad2, input2.Grad!.Span, 1e-5, 1e-6, what + " module input2 gradient", gradientScale);
        Closeness.AssertClose(torchSide.TargetGrad, target.Grad!.Span, 1e-5, 1e-6, what + " module target gradient", gradientScale);
    }

    private static (float[] Value, float[] Grad1, float[] Grad2, float[] TargetGrad) Torch(
        int[] shape, Reduction reduction, float margin, float[] x1, float[] x2, float[] y, float[] upstream)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor a = TorchConvert.ToTorch(x1, shape, requiresGrad: true);
        torch.Tensor b = TorchConvert.ToTorch(x2, shape, requiresGrad: true);
        torch.Tensor t = TorchConvert.ToTorch(y, shape, requiresGrad: true);
        torch.Tensor value = torch.nn.functional.margin_ranking_loss(a, b, t, margin, ElementwiseParity.ToTorch(reduction));
        value.backward([reduction == Reduction.None ? TorchConvert.ToTorch(upstream, shape) : torch.tensor(upstream[0])]);
        return (TorchConvert.ToArray(value), TorchConvert.ToArray(a.grad!), TorchConvert.ToArray(b.grad!), TorchConvert.ToArray(t.grad!));
    }

    /// <summary>Scores in [-3, 3], targets ±1, and every fifth pair placed exactly at the margin.</summary>
    private static (float[] X1, float[] X2, float[] Y) Inputs(int[] shape, float margin, int seed)
    {
        var data = new ParityData(seed);
        int n = TensorShape.ElementCount(shape);
        float[] x1 = data.Uniform(n, -3f, 3f), x2 = data.Uniform(n, -3f, 3f), y = new float[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = data.Uniform(0f, 1f) < 0.5f ? -1f : 1f;
            if (i % 5 == 2)
            {
                x1[i] = x2[i] + (y[i] * margin); // -y (x1 - x2) + margin = 0
            }
        }

        return (x1, x2, y);
    }

    private static float[] TermScale(float[] x1, float[] x2, float margin)
    {
        var scale = new float[x1.Length];
        for (int i = 0; i < scale.Length; i++)
        {
            scale[i] = Math.Abs(x1[i]) + Math.Abs(x2[i]) + Math.Abs(margin);
        }

        return scale;
    }

    private static float[] Ones(int count, float value)
    {
        var ones = new float[count];
        Array.Fill(ones, value);
        return ones;
    }

    private static float[] Filled(int count)
    {
        var buffer = new float[count];
        Array.Fill(buffer, float.NaN);
        return buffer;
    }
}
