using FastLoss.Functional;
using static FastLoss.Tests.Classification.CrossEntropySweep;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Span-level NLL loss against the float64 reference over batch sizes {1, 2, 3, 7, 64, 257} x class counts
/// {2, 3, 10, 17, 1000} and K-dimensional shapes, for weight, every ignore case and every reduction.
/// Tolerance: losses 2e-5 relative + 2e-6 absolute (float32 sums); gradients 1e-6 relative (they are one product each).
/// </summary>
public class NllLossReferenceTests
{
    public static TheoryData<int[]> Shapes()
    {
        var data = new TheoryData<int[]>();
        foreach (int batch in new[] { 1, 2, 3, 7, 64, 257 })
        {
            foreach (int classes in new[] { 2, 3, 10, 17, 1000 })
            {
                data.Add([batch, classes]);
            }
        }

        data.Add([5]);
        data.Add([2, 3, 4]);
        data.Add([2, 5, 3, 3]);
        data.Add([1, 4, 1, 7]);
        data.Add([2, 3, 17]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_option_matches_the_reference(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(shape.Sum() * 13);
        float[] x = ClassificationData.Logits(random, layout.Length);
        double[] xd = ClassificationData.ToDouble(x);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        long[] baseTargets = ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);
        float[] upstream = ClassificationData.Logits(random, layout.Entries, spread: 1f);

        foreach (Ignored ignored in Enum.GetValues<Ignored>())
        {
            var (y, ignoreIndex) = Targets(baseTargets, ignored);
            foreach (float[]? weight in new[] { null, w })
            {
                double[]? wd = weight is null ? null : ClassificationData.ToDouble(weight);
                foreach (Reduction reduction in Reductions)
                {
                    string what = $"{layout} ignored={ignored} weighted={weight is not null} {reduction}";
                    var options = new NllLossOptions { Weight = weight, IgnoreIndex = ignoreIndex };
                    var (entries, reduced) = ClassificationReference.Nll(xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction);
                    double[] expected = ClassificationReference.NllGradient(layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, null);
                    var grad = new float[layout.Length];
                    if (reduction == Reduction.None)
                    {
                        var losses = new float[layout.Entries];
                        NllLoss.ForwardNone(x, layout, y, losses, options);
                        CheckLoss(entries, reduced, reduction, losses, what);
                    }
                    else
                    {
                        float loss = NllLoss.Forward(x, layout, y, options, reduction);
                        CheckLoss(entries, reduced, reduction, [loss], what);
                        Assert.Equal(loss, NllLoss.ForwardBackward(x, layout, y, grad, options, reduction));
                        ClassificationData.AssertAllClose(expected, grad, 1e-6, 0, what + " fused gradient");
                    }

                    NllLoss.Backward(layout, y, grad, options, reduction, 3f);
                    ClassificationData.AssertAllClose(expected.Select(g => g * 3).ToArray(), grad, 1e-6, 0, what + " backward(3)");

                    if (reduction == Reduction.None)
                    {
                        NllLoss.BackwardNone(layout, y, upstream, grad, options);
                        double[] withUpstream = ClassificationReference.NllGradient(
                            layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, ClassificationData.ToDouble(upstream));
                        ClassificationData.AssertAllClose(withUpstream, grad, 1e-6, 0, what + " backward none");
                    }
                }
            }
        }
    }
}
