using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.Classification;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>
/// A float target that requires grad gets torch's gradient through the modules: the same bits as the span kernels
/// (checked against float64 in <see cref="ElementwiseLossReferenceTests"/>), for every reduction, with the input's
/// gradient unchanged; cross-entropy's probability target against its float64 formula.
/// </summary>
public sealed class TargetGradientTests
{
    public TargetGradientTests() => GradMode.ReleaseThreadResults();

    public static TheoryData<string, Reduction> Cases()
    {
        var data = new TheoryData<string, Reduction>();
        foreach (string name in new[] { "L1", "MSE", "SmoothL1", "Huber", "BCE", "BCEWithLogits" })
        {
            foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            {
                data.Add(name, reduction);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Elementwise_losses_give_the_target_its_gradient(string name, Reduction reduction)
    {
        const int n = 37;
        bool probabilities = name == "BCE";
        float[] x = Values(n, 1, probabilities), y = Values(n, 2, probabilities: true);
        Tensor weight = Tensor.FromValues(Values(n, 3, probabilities: true), n);
        (Loss module, Action<float[], float[], float[], Reduction, float> targetBackward, Action<float[], float[], float[], float[]> targetBackwardNone) = name switch
        {
            "L1" => ((Loss)new L1Loss(reduction), (Action<float[], float[], float[], Reduction, float>)((a, b, g, r, u) => L1.TargetBackward(a, b, g, r, u)), (Action<float[], float[], float[], float[]>)((a, b, u, g) => L1.TargetBackwardNone(a, b, u, g))),
            "MSE" => (new MSELoss(reduction), (a, b, g, r, u) => MeanSquaredError.TargetBackward(a, b, g, r, u), (a, b, u, g) => MeanSquaredError.TargetBackwardNone(a, b, u, g)),
            "SmoothL1" => (new SmoothL1Loss(reduction, beta: 0.5f), (a, b, g, r, u) => SmoothL1.TargetBackward(a, b, g, r, u, 0.5f), (a, b, u, g) => SmoothL1.TargetBackwardNone(a, b, u, g, 0.5f)),
            "Huber" => (new HuberLoss(reduction, delta: 0.5f), (a, b, g, r, u) => Huber.TargetBackward(a, b, g, r, u, 0.5f), (a, b, u, g) => Huber.TargetBackwardNone(a, b, u, g, 0.5f)),
            "BCE" => (new BCELoss(weight, reduction), (a, b, g, r, u) => BinaryCrossEntropy.TargetBackward(a, b, g, r, u, weight.Values), (a, b, u, g) => BinaryCrossEntropy.TargetBackwardNone(a, b, u, g, weight.Values)),
            _ => (new BCEWithLogitsLoss(weight, reduction), (a, b, g, r, u) => BinaryCrossEntropyWithLogits.TargetBackward(a, b, g, r, u, weight.Values), (a, b, u, g) => BinaryCrossEntropyWithLogits.TargetBackwardNone(a, b, u, g, weight.Values)),
        };

        Tensor input = Tensor.FromValues(x, n), target = Tensor.FromValues(y, n);
        input.RequiresGrad = true;
        target.RequiresGrad = true;
        Tensor loss = module.Forward(input, target);
        float[] upstream = Values(n, 4, probabilities: false);
        if (reduction == Reduction.None)
        {
            loss.Backward(Tensor.FromValues(upstream, n));
        }
        else
        {
            (loss * 1.5f).Backward();
        }

        float[] expected = new float[n];
        if (reduction == Reduction.None)
        {
            targetBackwardNone(x, y, upstream, expected);
        }
        else
        {
            targetBackward(x, y, expected, reduction, 1.5f);
        }

        Assert.Equal(expected, target.Grad!.ToArray());

        // The input's gradient is the one it gets without a target gradient.
        Tensor alone = Tensor.FromValues(x, n);
        alone.RequiresGrad = true;
        Tensor again = module.Forward(alone, Tensor.FromValues(y, n));
        if (reduction == Reduction.None)
        {
            again.Backward(Tensor.FromValues(upstream, n));
        }
        else
        {
            (again * 1.5f).Backward();
        }

        Assert.Equal(alone.Grad!.ToArray(), input.Grad!.ToArray());
    }

    [Theory]
    [InlineData(Reduction.Mean, 0f, false)]
    [InlineData(Reduction.Sum, 0.2f, true)]
    [InlineData(Reduction.None, 0.1f, true)]
    public void Cross_entropy_gives_a_probability_target_its_gradient(Reduction reduction, float smoothing, bool weighted)
    {
        int[] shape = [3, 4, 2];
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(5);
        float[] x = ClassificationData.Logits(random, layout.Length);
        float[] y = ClassificationData.Logits(random, layout.Length, spread: 1f);
        float[] w = [0.5f, 2f, 1f, 1.5f];
        float[] u = ClassificationData.Logits(random, layout.Entries, spread: 1f);
        Tensor input = Tensor.FromValues(x, shape), target = Tensor.FromValues(y, shape);
        target.RequiresGrad = true;
        var loss = new CrossEntropyLoss(weighted ? Tensor.FromValues(w) : null, reduction: reduction, labelSmoothing: smoothing);
        Tensor value = loss.Forward(input, target);
        if (reduction == Reduction.None)
        {
            value.Backward(Tensor.FromValues(u, value.Shape.ToArray()));
        }
        else
        {
            value.Backward();
        }

        var expected = new double[layout.Length];
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i = 0; i < layout.Inner; i++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int c = 0; c < layout.Classes; c++)
                {
                    max = Math.Max(max, x[(((b * layout.Classes) + c) * layout.Inner) + i]);
                }

                for (int c = 0; c < layout.Classes; c++)
                {
                    sum += Math.Exp(x[(((b * layout.Classes) + c) * layout.Inner) + i] - max);
                }

                double scale = reduction == Reduction.None ? u[(b * layout.Inner) + i] : reduction == Reduction.Mean ? 1.0 / layout.Entries : 1;
                for (int c = 0; c < layout.Classes; c++)
                {
                    int k = (((b * layout.Classes) + c) * layout.Inner) + i;
                    double logp = x[k] - max - Math.Log(sum);
                    expected[k] = -(weighted ? w[c] : 1) * (1 - smoothing) * logp * scale;
                }
            }
        }

        TestData.AssertClose(expected, target.Grad!.Values, 1e-6, 1e-5, "d loss / d target");
        Assert.Null(input.Grad);
    }

    private static float[] Values(int n, int seed, bool probabilities)
    {
        float[] values = TestData.Uniform(n, seed);
        if (probabilities)
        {
            for (int i = 0; i < n; i++)
            {
                values[i] = 0.05f + (0.45f * (values[i] + 1f));
            }
        }

        return values;
    }
}
