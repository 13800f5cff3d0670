using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// CrossEntropyLoss on raw logits with class-index or class-probability targets (whichever
/// <see cref="ClassificationInputs"/> holds), against torch.nn.functional.cross_entropy.
/// </summary>
internal sealed class CrossEntropyCase(ClassificationInputs inputs) : ClassLossCase(inputs)
{
    /// <summary>
    /// Every term of the loss is a weight times -log p, which is never negative, so sums do not cancel and a relative
    /// tolerance holds even for logits of 1e4; the absolute part covers log(sum of exp) near 0 (float32 rounding of
    /// sums of up to 1000 exponentials, ~1e-6). Gradients k (a p - q) do cancel: absolute 2e-6 times the entry's
    /// coefficient sum a (which bounds q), times the reduction's factor k.
    /// </summary>
    private static readonly ClassTolerance Tolerances = new(
        ValueRelative: 1e-5, ValueAbsolute: 2e-6, ReducedRelative: 1e-5, GradientRelative: 1e-5, GradientAbsolute: 2e-6);

    public override string Name => "CrossEntropyLoss";

    public override ClassTolerance Tolerance => Tolerances;

    public override torch.Tensor Torch(torch.Tensor input, Reduction reduction) =>
        TorchClassification.CrossEntropy(input, Inputs, reduction);

    public override float Forward(Reduction reduction) => Inputs.Indices is null
        ? CrossEntropy.Forward(Inputs.Logits, Inputs.Layout, Inputs.Probabilities, Options(), reduction)
        : CrossEntropy.Forward(Inputs.Logits, Inputs.Layout, Inputs.Indices, Options(), reduction);

    public override void ForwardNone(Span<float> loss)
    {
        if (Inputs.Indices is null)
        {
            CrossEntropy.ForwardNone(Inputs.Logits, Inputs.Layout, Inputs.Probabilities, loss, Options());
        }
        else
        {
            CrossEntropy.ForwardNone(Inputs.Logits, Inputs.Layout, Inputs.Indices, loss, Options());
        }
    }

    public override void Backward(Span<float> inputGrad, Reduction reduction, float upstream)
    {
        if (Inputs.Indices is null)
        {
            CrossEntropy.Backward(Inputs.Logits, Inputs.Layout, Inputs.Probabilities, inputGrad, Options(), reduction, upstream);
        }
        else
        {
            CrossEntropy.Backward(Inputs.Logits, Inputs.Layout, Inputs.Indices, inputGrad, Options(), reduction, upstream);
        }
    }

    public override void BackwardNone(ReadOnlySpan<float> upstream, Span<float> inputGrad)
    {
        if (Inputs.Indices is null)
        {
            CrossEntropy.BackwardNone(Inputs.Logits, Inputs.Layout, Inputs.Probabilities, upstream, inputGrad, Options());
        }
        else
        {
            CrossEntropy.BackwardNone(Inputs.Logits, Inputs.Layout, Inputs.Indices, upstream, inputGrad, Options());
        }
    }

    public override float ForwardBackward(Span<float> inputGrad, Reduction reduction) => Inputs.Indices is null
        ? CrossEntropy.ForwardBackward(Inputs.Logits, Inputs.Layout, Inputs.Probabilities, inputGrad, Options(), reduction)
        : CrossEntropy.ForwardBackward(Inputs.Logits, Inputs.Layout, Inputs.Indices, inputGrad, Options(), reduction);

    public override bool TryForwardBackwardNone(Span<float> loss, Span<float> inputGrad)
    {
        if (Inputs.Indices is null)
        {
            CrossEntropy.ForwardBackwardNone(Inputs.Logits, Inputs.Layout, Inputs.Probabilities, loss, inputGrad, Options());
        }
        else
        {
            CrossEntropy.ForwardBackwardNone(Inputs.Logits, Inputs.Layout, Inputs.Indices, loss, inputGrad, Options());
        }

        return true;
    }

    public override Tensor Module(Tensor input, Reduction reduction)
    {
        var loss = new CrossEntropyLoss(Inputs.FastWeight, Inputs.IgnoreIndex, reduction, Inputs.LabelSmoothing);
        return Inputs.Indices is null
            ? loss.Forward(input, Tensor.FromValues(Inputs.Probabilities, Inputs.Shape))
            : loss.Forward(input, Inputs.FastIndices);
    }

    /// <summary>
    /// The sum of the coefficients of the entry's -log p terms: (1 - eps) w[y] + eps / C * sum(w) for a kept index
    /// target (0 for an ignored one), sum_c w[c] ((1 - eps) t[c] + eps / C) for probabilities.
    /// </summary>
    public override float[] EntryScale()
    {
        var layout = Inputs.Layout;
        float eps = Inputs.LabelSmoothing;
        var scale = new float[layout.Entries];
        for (int n = 0; n < scale.Length; n++)
        {
            double sum = 0;
            for (int c = 0; c < layout.Classes; c++)
            {
                double smoothed = eps / layout.Classes;
                if (Inputs.Indices is null)
                {
                    smoothed += (1 - eps) * Inputs.Probabilities![Inputs.ElementOf(n, c)];
                }
                else if (Inputs.Indices[n] == c)
                {
                    smoothed += 1 - eps;
                }

                sum += Inputs.WeightOf(c) * smoothed;
            }

            scale[n] = Inputs.IsKept(n) ? (float)sum : 0f;
        }

        return scale;
    }

    /// <summary>Each element's gradient k (a p[c] - q[c]) is bounded by k times its entry's coefficient sum a.</summary>
    public override float[] GradientScale()
    {
        float[] entry = EntryScale();
        var scale = new float[Inputs.Layout.Length];
        for (int n = 0; n < entry.Length; n++)
        {
            for (int c = 0; c < Inputs.Layout.Classes; c++)
            {
                scale[Inputs.ElementOf(n, c)] = entry[n];
            }
        }

        return scale;
    }

    private CrossEntropyOptions Options() => new()
    {
        Weight = Inputs.Weight ?? [],
        IgnoreIndex = Inputs.IgnoreIndex,
        LabelSmoothing = Inputs.LabelSmoothing,
    };
}
