using FastLoss.Functional;
using static FastLoss.Tests.Classification.CrossEntropySweep;

namespace FastLoss.Tests.Classification;

/// <summary>
/// NllLoss.ForwardBackwardNone (each entry's loss and its gradient with upstream 1 per entry) against the float64
/// reference, over contiguous and K-dimensional layouts, weights and every ignore case, and its argument checks.
/// Tolerance: losses 2e-5 relative + 2e-6 absolute (as the other NLL tests); gradients 1e-6 relative.
/// </summary>
public class NllLossForwardBackwardNoneTests
{
    public static TheoryData<int[]> Shapes() => new()
    {
        new[] { 5 },
        new[] { 1, 2 },
        new[] { 7, 10 },
        new[] { 257, 17 },
        new[] { 2, 3, 4 },
        new[] { 2, 5, 3, 3 },
        new[] { 3, 0 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Losses_and_gradient_match_the_reference(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(shape.Sum() * 31);
        float[] x = ClassificationData.Logits(random, layout.Length);
        double[] xd = ClassificationData.ToDouble(x);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        long[] baseTargets = layout.Classes == 0
            ? Enumerable.Repeat(-100L, layout.Entries).ToArray()
            : ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);

        foreach (Ignored ignored in layout.Classes == 0 ? [Ignored.Everything] : Enum.GetValues<Ignored>())
        {
            var (y, ignoreIndex) = Targets(baseTargets, ignored);
            foreach (float[]? weight in new[] { null, w })
            {
                string what = $"{layout} ignored={ignored} weighted={weight is not null}";
                double[]? wd = weight is null ? null : ClassificationData.ToDouble(weight);
                var options = new NllLossOptions { Weight = weight, IgnoreIndex = ignoreIndex };
                var (entries, reduced) = ClassificationReference.Nll(xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, Reduction.None);
                double[] expected = ClassificationReference.NllGradient(layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, Reduction.None, null);

                var losses = new float[layout.Entries];
                float[] grad = Enumerable.Repeat(float.NaN, layout.Length).ToArray(); // written (=), not accumulated
                NllLoss.ForwardBackwardNone(x, layout, y, losses, grad, options);

                CheckLoss(entries, reduced, Reduction.None, losses, what);
                ClassificationData.AssertAllClose(expected, grad, 1e-6, 0, what + " gradient");
            }
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_before_anything_is_written()
    {
        var layout = new ClassLayout(2, 3, 1);
        float[] x = new float[6];
        float[] grad = Enumerable.Repeat(7f, 6).ToArray();
        float[] losses = Enumerable.Repeat(7f, 2).ToArray();

        var outOfBounds = Assert.Throws<ArgumentOutOfRangeException>(() => NllLoss.ForwardBackwardNone(x, layout, [0, 3], losses, grad));
        Assert.Equal("Target 3 is out of bounds.", outOfBounds.Message);
        var shortLoss = Assert.Throws<ArgumentException>(() => NllLoss.ForwardBackwardNone(x, layout, [0, 1], new float[1], grad));
        Assert.Equal("The loss has 1 elements but the layout (batch 2, classes 3, inner 1) needs 2.", shortLoss.Message);
        float[] shared = new float[8];
        var overlapping = Assert.Throws<ArgumentException>(() => NllLoss.ForwardBackwardNone(x, layout, [0, 1], shared.AsSpan(0, 2), shared.AsSpan(1, 6)));
        Assert.Equal("The gradient must not overlap the loss.", overlapping.Message);

        Assert.All(grad, g => Assert.Equal(7f, g));
        Assert.All(losses, l => Assert.Equal(7f, l));
    }
}
