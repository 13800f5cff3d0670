using FastLoss.Functional;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>
/// One classification test's data: logits shaped (C), (N, C) or (N, C, d1, ..., dk), class-index or
/// class-probability targets, and the options (weight, ignore_index, label smoothing).
/// </summary>
internal sealed class ClassificationInputs
{
    public const long DefaultIgnoreIndex = -100;

    /// <summary>The ignore_index of <see cref="IgnoreMode.Hit"/>: a valid class.</summary>
    public const long HitIgnoreIndex = 1;

    private ClassificationInputs(int[] shape, float[] logits)
    {
        Shape = shape;
        Layout = ClassLayout.ForLossInput(shape);
        Logits = logits;
    }

    public int[] Shape { get; }

    public ClassLayout Layout { get; }

    public float[] Logits { get; }

    /// <summary>One class index per entry (index targets), or null.</summary>
    public long[]? Indices { get; private init; }

    /// <summary>Probabilities laid out like the logits (probability targets), or null.</summary>
    public float[]? Probabilities { get; private init; }

    /// <summary>A weight per class, or null.</summary>
    public float[]? Weight { get; private init; }

    public long IgnoreIndex { get; private init; } = DefaultIgnoreIndex;

    public float LabelSmoothing { get; private init; }

    /// <summary>The shape of the targets and of the unreduced loss: the input's without the class dimension.</summary>
    public int[] EntryShape => Shape.Length == 1 ? [] : [Shape[0], .. Shape[2..]];

    public static ClassificationInputs WithIndices(ParityData data, int[] shape, bool weighted, IgnoreMode ignore, float labelSmoothing, bool largeLogits)
    {
        var layout = ClassLayout.ForLossInput(shape);
        long[] indices = data.ClassIndices(layout.Entries, layout.Classes);
        long ignoreIndex = ignore == IgnoreMode.Hit ? HitIgnoreIndex : DefaultIgnoreIndex;
        for (int n = 0; n < indices.Length; n++)
        {
            if (ignore == IgnoreMode.All || (ignore == IgnoreMode.Hit && n % 3 == 1))
            {
                indices[n] = ignoreIndex;
            }
        }

        return new ClassificationInputs(shape, data.ClassLogits(layout.Length, largeLogits))
        {
            Indices = indices,
            Weight = weighted ? data.Uniform(layout.Classes, 0.1f, 2f) : null,
            IgnoreIndex = ignoreIndex,
            LabelSmoothing = labelSmoothing,
        };
    }

    public static ClassificationInputs WithProbabilities(ParityData data, int[] shape, bool weighted, float labelSmoothing, bool largeLogits)
    {
        var layout = ClassLayout.ForLossInput(shape);
        return new ClassificationInputs(shape, data.ClassLogits(layout.Length, largeLogits))
        {
            Probabilities = data.ClassProbabilities(layout),
            Weight = weighted ? data.Uniform(layout.Classes, 0.1f, 2f) : null,
            LabelSmoothing = labelSmoothing,
        };
    }

    /// <summary>The weight of class <paramref name="c"/> (1 without a weight).</summary>
    public float WeightOf(long c) => Weight is null ? 1f : Weight[c];

    /// <summary>Whether entry <paramref name="n"/> counts (its index target is not ignore_index; probability targets always count).</summary>
    public bool IsKept(int n) => Indices is null || Indices[n] != IgnoreIndex;

    /// <summary>The position of class <paramref name="c"/> of entry <paramref name="n"/> in the logits.</summary>
    public int ElementOf(int n, int c)
    {
        int b = n / Layout.Inner;
        int i = n % Layout.Inner;
        return (((b * Layout.Classes) + c) * Layout.Inner) + i;
    }

    /// <summary>torch's denominator of the mean: the summed weight of the kept index targets, or the number of entries for probabilities.</summary>
    public double MeanDenominator()
    {
        if (Indices is null)
        {
            return Layout.Entries;
        }

        double total = 0;
        for (int n = 0; n < Indices.Length; n++)
        {
            if (IsKept(n))
            {
                total += WeightOf(Indices[n]);
            }
        }

        return total;
    }

    public Tensor? FastWeight => Weight is null ? null : Tensor.FromValues(Weight, Weight.Length);

    /// <summary>The index targets as FastLoss takes them: a 0-dim tensor for an unbatched input (FromValues reads an empty shape as 1-D).</summary>
    public IndexTensor FastIndices => Shape.Length == 1 ? IndexTensor.Scalar(Indices![0]) : IndexTensor.FromValues(Indices!, EntryShape);

    public override string ToString() =>
        $"{TensorShape.FormatList(Shape)}, {(Indices is null ? "probability" : "index")} targets, " +
        $"weight {(Weight is null ? "none" : "given")}, ignore_index {IgnoreIndex}, label_smoothing {LabelSmoothing}";
}
