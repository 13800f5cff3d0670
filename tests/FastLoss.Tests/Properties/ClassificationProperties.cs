using System.Globalization;
using System.Text;
using CsCheck;
using FastLoss.Functional;
using FastLoss.Tests.Classification;

namespace FastLoss.Tests.Properties;

/// <summary>
/// Cross-entropy with index and probability targets through every span entry point against the float64
/// reference, over generated layouts (batch 1 to 8, 1 to 40 classes, inner size 1 to 6: up to 1,000 logits and
/// every vector tail), class weights or none, an ignore index that hits some entries, label smoothing, every
/// reduction, and logits with ±0, subnormals and magnitudes up to 1e30 (tolerances of <see cref="CrossEntropySweep"/>).
/// A second property adds infinite and NaN logits, element by element against the reference: a NaN or +inf
/// logit makes its row NaN, a -inf one has probability 0, and no other row changes; an ignored entry's gradient is
/// torch's log_softmax backward of zeros, 0 - softmax * 0: zeros, or NaN where its softmax is NaN.
/// </summary>
public sealed class ClassificationProperties
{
    private static readonly Gen<float> FiniteLogit = Gen.Frequency(
        (60, Gen.Float[-8f, 8f]), (4, Values.SignedZero), (4, Values.Subnormal), (2, Gen.Float[1e4f, 1e30f].Select(Gen.Bool, (v, negative) => negative ? -v : v)));

    private static readonly Gen<float> AnyLogit = Gen.Frequency((30, FiniteLogit), (1, Values.Infinity), (1, Values.NaN));

    private static readonly Gen<ClassSample> FiniteSamples = Samples(FiniteLogit);

    private static readonly Gen<ClassSample> NonFiniteSamples = Samples(AnyLogit);

    [Fact]
    public void Every_entry_point_matches_the_float64_reference() =>
        PropertyCheck.Run(FiniteSamples, CheckAll, ciIterations: 150);

    [Fact]
    public void Infinite_and_NaN_logits_give_the_references_values_element_by_element() =>
        PropertyCheck.Run(NonFiniteSamples, CheckElements, ciIterations: 150);

    private static Gen<ClassSample> Samples(Gen<float> logit) =>
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 40], Gen.Frequency((3, Gen.Const(1)), (1, Gen.Int[2, 6])))
            .Where(shape => shape.Item1 * shape.Item2 * shape.Item3 <= 1000)
            .SelectMany(shape =>
            {
                var layout = new ClassLayout(shape.Item1, shape.Item2, shape.Item3);
                return Gen.Select(
                    logit.Array[layout.Length],
                    Gen.Long[0, shape.Item2 - 1].Array[layout.Entries],
                    Gen.Float.Unit.Array[layout.Length],
                    Gen.Float[0.05f, 2f].Array[shape.Item2],
                    Gen.Bool,
                    Gen.Int[0, 3],
                    Gen.Select(Gen.Frequency((2, Gen.Const(0f)), (1, Gen.Float[0f, 1f])), Gen.Int[0, 2]),
                    (x, y, t, w, weighted, ignored, options) => new ClassSample(
                        layout, x, y, Normalized(t, layout), weighted ? w : null, (CrossEntropySweep.Ignored)ignored, options.Item1, (Reduction)options.Item2));
            });

    private static void CheckAll(ClassSample sample)
    {
        var (y, ignoreIndex) = CrossEntropySweep.Targets(sample.Targets, sample.Ignored);
        string what = sample.Describe();
        CrossEntropySweep.CheckIndex(sample.Logits, sample.Layout, y, sample.Weight, ignoreIndex, sample.Reduction, sample.Smoothing, what + " index targets");
        CrossEntropySweep.CheckProbabilities(sample.Logits, sample.Layout, sample.Probabilities, sample.Weight, sample.Reduction, sample.Smoothing, what + " probability targets");
    }

    /// <summary>Reduction none, so one row's NaN does not hide the others: every loss and every gradient element on its own.</summary>
    private static void CheckElements(ClassSample sample)
    {
        ClassLayout layout = sample.Layout;
        var (y, ignoreIndex) = CrossEntropySweep.Targets(sample.Targets, sample.Ignored);
        double[] xd = ClassificationData.ToDouble(sample.Logits);
        double[]? wd = sample.Weight is null ? null : ClassificationData.ToDouble(sample.Weight);
        var options = new CrossEntropyOptions { Weight = sample.Weight, IgnoreIndex = ignoreIndex, LabelSmoothing = sample.Smoothing };
        var (entries, _) = ClassificationReference.CrossEntropyIndex(xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, Reduction.None, sample.Smoothing);
        double[] expectedGrad = ClassificationReference.CrossEntropyIndexGradient(
            xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, Reduction.None, sample.Smoothing, upstream: null);

        var losses = new float[layout.Entries];
        var grad = new float[layout.Length];
        CrossEntropy.ForwardBackwardNone(sample.Logits, layout, y, losses, grad, options);
        string what = sample.Describe();
        for (int k = 0; k < entries.Length; k++)
        {
            Expect.Close(entries[k], losses[k], CrossEntropySweep.LossRtol, CrossEntropySweep.LossAtol, 0, $"{what}: loss [{k}]");
        }

        for (int k = 0; k < expectedGrad.Length; k++)
        {
            Expect.Close(expectedGrad[k], grad[k], CrossEntropySweep.GradRtol, 1e-6, 0, $"{what}: gradient [{k}]");
        }
    }

    /// <summary>Each entry's class probabilities summing to 1 (uniform where all are drawn 0).</summary>
    private static float[] Normalized(float[] t, ClassLayout layout)
    {
        float[] p = (float[])t.Clone();
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i = 0; i < layout.Inner; i++)
            {
                double sum = 0;
                for (int c = 0; c < layout.Classes; c++)
                {
                    sum += p[ClassificationReference.At(b, c, i, layout.Classes, layout.Inner)];
                }

                for (int c = 0; c < layout.Classes; c++)
                {
                    int at = ClassificationReference.At(b, c, i, layout.Classes, layout.Inner);
                    p[at] = sum > 0 ? (float)(p[at] / sum) : 1f / layout.Classes;
                }
            }
        }

        return p;
    }

    internal sealed record ClassSample(
        ClassLayout Layout, float[] Logits, long[] Targets, float[] Probabilities, float[]? Weight,
        CrossEntropySweep.Ignored Ignored, float Smoothing, Reduction Reduction)
    {
        public string Describe() => string.Create(
            CultureInfo.InvariantCulture,
            $"({Layout.Batch}, {Layout.Classes}, {Layout.Inner}), weight {(Weight is null ? "none" : "given")}, ignored {Ignored}, label smoothing {Smoothing:R}, {Reduction}");

        public override string ToString()
        {
            var text = new StringBuilder(Describe());
            text.Append("\n  logits ").AppendJoin(", ", Array.ConvertAll(Logits, v => v.ToString("R", CultureInfo.InvariantCulture)));
            text.Append("\n  targets ").AppendJoin(", ", Targets);
            if (Weight is not null)
            {
                text.Append("\n  weight ").AppendJoin(", ", Array.ConvertAll(Weight, v => v.ToString("R", CultureInfo.InvariantCulture)));
            }

            return text.ToString();
        }
    }
}
