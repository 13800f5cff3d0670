using System.Globalization;
using CsCheck;
using FastLoss.Functional;

namespace FastLoss.Tests.Properties;

/// <summary>
/// Bad values anywhere in an input are refused before anything is written: BCE's inputs and targets outside
/// [0, 1] (NaN, a negative, just above 1, infinite) name the first bad element and its value, as torch refuses
/// them; a class index out of range is torch's "Target t is out of bounds."; and the gradient buffer the call was
/// given holds what it held before.
/// </summary>
public sealed class BadInputProperties
{
    private static readonly Gen<float> OutsideUnitInterval = Gen.OneOf(
        float.NaN, -float.Epsilon, -0.5f, 1.0000001f, 2f, float.PositiveInfinity, float.NegativeInfinity);

    private static readonly Gen<(float[] Input, float[] Target, int[] BadAt, float[] Bad, bool InTarget)> BceSamples =
        Gen.Int[1, 1000].SelectMany(n => Gen.Select(
            Values.Probability.Array[n], Values.Probability.Array[n], Gen.Int[0, n - 1].Array[1, 4], OutsideUnitInterval.Array[4], Gen.Bool));

    private static readonly Gen<(int Batch, int Classes, long[] Targets, int BadAt, long Bad)> TargetSamples =
        Gen.Select(Gen.Int[1, 64], Gen.Int[1, 40]).SelectMany(shape => Gen.Select(
            Gen.Long[0, shape.Item2 - 1].Array[shape.Item1],
            Gen.Int[0, shape.Item1 - 1],
            Gen.OneOf<long>(Gen.Long[shape.Item2, long.MaxValue], Gen.Long[long.MinValue, -101], Gen.Long[-99, -1]),
            (targets, at, bad) => (shape.Item1, shape.Item2, targets, at, bad)));

    [Fact]
    public void BCE_refuses_the_first_value_outside_0_and_1_and_writes_nothing() =>
        PropertyCheck.Run(BceSamples, sample =>
        {
            float[] x = sample.Input, y = sample.Target;
            float[] bad = sample.InTarget ? y : x;
            for (int k = 0; k < sample.BadAt.Length; k++)
            {
                bad[sample.BadAt[k]] = sample.Bad[k];
            }

            int first = Array.FindIndex(bad, v => !(v >= 0f && v <= 1f));
            string name = sample.InTarget ? "target" : "input";
            string expected = string.Create(CultureInfo.InvariantCulture, $"all elements of {name} should be between 0 and 1 ({name}[{first}] = {bad[first]})");
            float[] grad = new float[x.Length];
            Array.Fill(grad, 7f);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCrossEntropy.ForwardBackward(x, y, grad, Reduction.Mean));
            Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
            Assert.All(grad, v => Assert.Equal(7f, v));
            Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCrossEntropy.Forward(x, y, Reduction.Sum));
        }, ciIterations: 200);

    [Fact]
    public void Cross_entropy_refuses_a_class_index_out_of_range_and_writes_nothing() =>
        PropertyCheck.Run(TargetSamples, sample =>
        {
            var layout = new ClassLayout(sample.Batch, sample.Classes, 1);
            long[] targets = (long[])sample.Targets.Clone();
            targets[sample.BadAt] = sample.Bad;
            float[] logits = new float[layout.Length];
            float[] grad = new float[layout.Length];
            Array.Fill(grad, 7f);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.ForwardBackward(logits, layout, targets, grad, new CrossEntropyOptions(), Reduction.Mean));
            Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"Target {sample.Bad} is out of bounds."), error.Message, StringComparison.Ordinal);
            Assert.All(grad, v => Assert.Equal(7f, v));
        }, ciIterations: 200);
}
