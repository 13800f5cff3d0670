using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;
using static FastLoss.Tests.Classification.CrossEntropySweep;

namespace FastLoss.Tests.Classification;

/// <summary>
/// The modules: shapes mapped to layouts, outputs owned and reused, autograd through the tape (fused gradient,
/// accumulation, no-grad scopes, per-entry upstream of an unreduced loss), and LogSoftmax + NLLLoss = CrossEntropyLoss.
/// Tolerances as <see cref="CrossEntropySweep"/> unless stated.
/// </summary>
public class ClassificationModuleTests
{
    [Theory]
    [InlineData(new[] { 7, 10 })]
    [InlineData(new[] { 2, 5, 3, 3 })]
    [InlineData(new[] { 2, 3, 4 })]
    [InlineData(new[] { 1, 4, 1, 7 })]
    [InlineData(new[] { 6 })]
    public void Cross_entropy_module_matches_the_reference_through_autograd(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        int[] targetShape = TargetShape(shape);
        var random = new Random(shape.Sum());
        float[] x = ClassificationData.Logits(random, layout.Length);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        float[] t = ClassificationData.Probabilities(random, layout.Batch, layout.Classes, layout.Inner);
        var (y, ignoreIndex) = Targets(ClassificationData.IndexTargets(random, layout.Entries, layout.Classes), shape.Length == 1 ? Ignored.Nothing : Ignored.SomeOutOfRangeIndex);
        double[] xd = ClassificationData.ToDouble(x);

        foreach (bool weighted in new[] { false, true })
        {
            foreach (Reduction reduction in new[] { Reduction.Mean, Reduction.Sum })
            {
                foreach (float eps in Smoothings)
                {
                    string what = $"{layout} weighted={weighted} {reduction} eps={eps}";
                    double[]? wd = weighted ? ClassificationData.ToDouble(w) : null;

                    var input = Tensor.FromValues(x, shape);
                    input.RequiresGrad = true;
                    var loss = new CrossEntropyLoss(weighted ? Tensor.FromValues(w) : null, ignoreIndex, reduction, eps);
                    Tensor value = loss.Forward(input, Target(y, targetShape));
                    Assert.Empty(value.Shape.ToArray());
                    value.Backward();
                    var (_, expected) = ClassificationReference.CrossEntropyIndex(xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps);
                    ClassificationData.AssertClose(expected, value.Item(), LossRtol, LossAtol, what);
                    CheckGradient(ClassificationReference.CrossEntropyIndexGradient(xd, layout.Batch, layout.Classes, layout.Inner, y, wd, ignoreIndex, reduction, eps, null), input.Grad!.ToArray(), 1, what + " grad");

                    var probabilityInput = Tensor.FromValues(x, shape);
                    probabilityInput.RequiresGrad = true;
                    var probabilityLoss = new CrossEntropyLoss(weighted ? Tensor.FromValues(w) : null, reduction: reduction, labelSmoothing: eps);
                    Tensor probabilityValue = probabilityLoss.Forward(probabilityInput, Tensor.FromValues(t, shape));
                    probabilityValue.Backward();
                    double[] td = ClassificationData.ToDouble(t);
                    var (_, expectedProbability) = ClassificationReference.CrossEntropyProbabilities(xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps);
                    ClassificationData.AssertClose(expectedProbability, probabilityValue.Item(), LossRtol, LossAtol, what + " probabilities");
                    CheckGradient(ClassificationReference.CrossEntropyProbabilitiesGradient(xd, layout.Batch, layout.Classes, layout.Inner, td, wd, reduction, eps, null), probabilityInput.Grad!.ToArray(), 1, what + " probabilities grad");
                }
            }
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.3f)]
    public void All_ignored_targets_give_nan_mean_zero_sum_and_exactly_zero_gradients(float eps)
    {
        var input = Tensor.FromValues([0.5f, -1f, 2f, 0.1f, 0.2f, 0.3f], 2, 3);
        input.RequiresGrad = true;
        var ignored = IndexTensor.FromValues([-100L, -100]);
        Tensor mean = new CrossEntropyLoss(Tensor.FromValues([1f, 2f, 3f]), labelSmoothing: eps).Forward(input, ignored);
        Assert.True(float.IsNaN(mean.Item()));
        mean.Backward();
        Assert.All(input.Grad!.ToArray(), g => Assert.Equal(0f, g));

        Assert.Equal(0f, new CrossEntropyLoss(reduction: Reduction.Sum, labelSmoothing: eps).Forward(input, ignored).Item());
        Assert.Equal([0f, 0f], new CrossEntropyLoss(reduction: Reduction.None, labelSmoothing: eps).Forward(input, ignored).ToArray());
        Assert.True(float.IsNaN(new NLLLoss().Forward(input, ignored).Item()));
    }

    [Fact]
    public void An_empty_batch_has_nan_mean_and_zero_sum()
    {
        Assert.True(float.IsNaN(new CrossEntropyLoss().Forward(Tensor.Zeros(0, 4), IndexTensor.Zeros(0)).Item()));
        Assert.True(float.IsNaN(new CrossEntropyLoss().Forward(Tensor.Zeros(0, 4), Tensor.Zeros(0, 4)).Item()));
        Assert.Equal(0f, new CrossEntropyLoss(reduction: Reduction.Sum).Forward(Tensor.Zeros(0, 4, 3), IndexTensor.Zeros(0, 3)).Item());
        Assert.Empty(new NLLLoss(reduction: Reduction.None).Forward(Tensor.Zeros(0, 4), IndexTensor.Zeros(0)).ToArray());

        // No classes: torch's probability-target mean over no elements is NaN; the sum of empty sums is 0.
        Assert.True(float.IsNaN(new CrossEntropyLoss().Forward(Tensor.Zeros(3, 0), Tensor.Zeros(3, 0)).Item()));
        Assert.Equal(0f, new CrossEntropyLoss(reduction: Reduction.Sum).Forward(Tensor.Zeros(3, 0), Tensor.Zeros(3, 0)).Item());
        Assert.True(float.IsNaN(new CrossEntropyLoss().Forward(Tensor.Zeros(2, 0), IndexTensor.FromValues([-100L, -100])).Item()));
        Assert.Equal("Target 0 is out of bounds.", Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(2, 0), IndexTensor.Zeros(2))).Message);
    }

    [Fact]
    public void Unreduced_outputs_are_shaped_like_the_entries()
    {
        var loss = new CrossEntropyLoss(reduction: Reduction.None);
        Assert.Equal([4], loss.Forward(Tensor.Zeros(4, 3), IndexTensor.Zeros(4)).Shape.ToArray());
        Assert.Equal([2, 3, 3], loss.Forward(Tensor.Zeros(2, 5, 3, 3), IndexTensor.Zeros(2, 3, 3)).Shape.ToArray());
        Assert.Empty(loss.Forward(Tensor.Zeros(5), IndexTensor.Scalar(2)).Shape.ToArray());
        Assert.Equal([2, 4], loss.Forward(Tensor.Zeros(2, 3, 4), Tensor.Zeros(2, 3, 4)).Shape.ToArray());
        Assert.Equal([2, 4], new NLLLoss(reduction: Reduction.None).Forward(Tensor.Zeros(2, 3, 4), IndexTensor.Zeros(2, 4)).Shape.ToArray());
    }

    [Fact]
    public void Each_call_returns_its_own_result_which_a_later_call_leaves_alone()
    {
        var loss = new CrossEntropyLoss(reduction: Reduction.None);
        Tensor first = loss.Forward(Tensor.FromValues([1f, 2f, 3f, 0f, 0f, 5f], 2, 3), IndexTensor.Zeros(2));
        float[] firstValues = first.ToArray();
        Tensor second = loss.Forward(Tensor.Zeros(2, 3), IndexTensor.Zeros(2));
        Assert.NotSame(first, second);
        Assert.Equal(firstValues, first.ToArray());
        Tensor resized = loss.Forward(Tensor.Zeros(3, 3), IndexTensor.Zeros(3));
        Assert.Equal([3], resized.Shape.ToArray());
        Assert.Equal(firstValues, first.ToArray());

        var mean = new CrossEntropyLoss();
        Tensor a = mean.Forward(Tensor.Zeros(4, 3), IndexTensor.Zeros(4));
        Tensor b = mean.Forward(Tensor.Zeros(9, 2), IndexTensor.Zeros(9));
        Assert.NotSame(a, b);
        Assert.Equal(MathF.Log(3f), a.Item(), 6);
        Assert.Equal(MathF.Log(2f), b.Item(), 6);
    }

    [Fact]
    public void Backward_accumulates_into_the_input_gradient()
    {
        var input = Tensor.FromValues([0.5f, -1f, 2f, 0.1f, 0.2f, 0.3f], 2, 3);
        input.RequiresGrad = true;
        var target = IndexTensor.FromValues([2L, 0]);
        var loss = new CrossEntropyLoss();
        loss.Forward(input, target).Backward();
        float[] once = input.Grad!.ToArray();
        loss.Forward(input, target).Backward();
        for (int k = 0; k < once.Length; k++)
        {
            Assert.Equal(2 * once[k], input.Grad!.Span[k], 6);
        }
    }

    [Fact]
    public void Nothing_is_recorded_without_grad_or_inside_no_grad()
    {
        var input = Tensor.FromValues([0.5f, -1f, 2f], 1, 3);
        var loss = new CrossEntropyLoss();
        GradMode.ReleaseThreadResults();
        Tensor value = loss.Forward(input, IndexTensor.FromValues([1L]));
        Assert.False(value.RequiresGrad);
        Assert.Equal(0, GradMode.PendingNodes);
        Assert.Throws<InvalidOperationException>(() => value.Backward());

        input.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            Assert.False(loss.Forward(input, IndexTensor.FromValues([1L])).RequiresGrad);
            Assert.False(new NLLLoss().Forward(input, IndexTensor.FromValues([1L])).RequiresGrad);
            Assert.False(new LogSoftmax(1).Forward(input).RequiresGrad);
        }

        Assert.Equal(0, GradMode.PendingNodes);
        Assert.Null(input.Grad);
    }

    /// <summary>An unreduced loss feeding a weighted sum: the per-entry upstream scales each entry's classes (strided for K-dim).</summary>
    [Theory]
    [InlineData(new[] { 5, 4 })]
    [InlineData(new[] { 2, 3, 5 })]
    public void Unreduced_loss_backward_uses_each_entrys_upstream(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(11);
        float[] x = ClassificationData.Logits(random, layout.Length);
        long[] y = ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);
        float[] u = ClassificationData.Logits(random, layout.Entries, spread: 1f);
        var input = Tensor.FromValues(x, shape);
        input.RequiresGrad = true;

        GradMode.ReleaseThreadResults();
        Tensor entries = new CrossEntropyLoss(reduction: Reduction.None, labelSmoothing: 0.2f).Forward(input, Target(y, TargetShape(shape)));
        entries.Backward(Tensor.FromValues(u, entries.Shape.ToArray()));

        double[] expected = ClassificationReference.CrossEntropyIndexGradient(
            ClassificationData.ToDouble(x), layout.Batch, layout.Classes, layout.Inner, y, null, -100, Reduction.None, 0.2, ClassificationData.ToDouble(u));
        CheckGradient(expected, input.Grad!.ToArray(), 1, "per-entry upstream");

        // NLLLoss scatters the same way.
        var logp = Tensor.FromValues(x, shape);
        logp.RequiresGrad = true;
        Tensor nll = new NLLLoss(reduction: Reduction.None).Forward(logp, Target(y, TargetShape(shape)));
        nll.Backward(Tensor.FromValues(u, nll.Shape.ToArray()));
        double[] expectedNll = ClassificationReference.NllGradient(layout.Batch, layout.Classes, layout.Inner, y, null, -100, Reduction.None, ClassificationData.ToDouble(u));
        ClassificationData.AssertAllClose(expectedNll, logp.Grad!.Span, 1e-6, 0, "nll per-entry upstream");
    }

    [Fact]
    public void A_single_unreduced_entry_can_call_backward()
    {
        var input = Tensor.FromValues([0.1f, 0.2f, 0.3f], 1, 3);
        input.RequiresGrad = true;
        Tensor value = new CrossEntropyLoss(reduction: Reduction.None).Forward(input, IndexTensor.FromValues([1L]));
        value.Backward();
        double[] expected = ClassificationReference.CrossEntropyIndexGradient([0.1, 0.2, 0.3], 1, 3, 1, [1L], null, -100, Reduction.None, 0, null);
        CheckGradient(expected, input.Grad!.ToArray(), 1, "grad");

        var two = Tensor.FromValues([0.1f, 0.2f, 0.3f, 0.4f], 2, 2);
        two.RequiresGrad = true;
        Tensor twoLosses = new CrossEntropyLoss(reduction: Reduction.None).Forward(two, IndexTensor.FromValues([1L, 0]));
        var ex = Assert.Throws<InvalidOperationException>(() => twoLosses.Backward());
        Assert.Equal("grad can be implicitly created only for scalar outputs", ex.Message);
        GradMode.ReleaseThreadResults();
    }

    [Theory]
    [InlineData(new[] { 6, 10 })]
    [InlineData(new[] { 2, 5, 3, 3 })]
    [InlineData(new[] { 4 })]
    public void LogSoftmax_then_NLLLoss_is_CrossEntropyLoss(int[] shape)
    {
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(5);
        float[] x = ClassificationData.Logits(random, layout.Length);
        float[] w = ClassificationData.Weights(random, layout.Classes);
        long[] y = ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);
        IndexTensor target = Target(y, TargetShape(shape));

        var a = Tensor.FromValues(x, shape);
        a.RequiresGrad = true;
        Tensor composed = new NLLLoss(Tensor.FromValues(w)).Forward(new LogSoftmax(shape.Length == 1 ? 0 : 1).Forward(a), target);
        composed.Backward();

        var b = Tensor.FromValues(x, shape);
        b.RequiresGrad = true;
        Tensor fused = new CrossEntropyLoss(Tensor.FromValues(w)).Forward(b, target);
        fused.Backward();

        // 1e-6 relative: two float32 roundings of the same quantities.
        ClassificationData.AssertClose(fused.Item(), composed.Item(), 1e-6, 1e-7, "loss");
        double[] fusedGrad = ClassificationData.ToDouble(b.Grad!.Span);
        ClassificationData.AssertAllClose(fusedGrad, a.Grad!.Span, 1e-4, 1e-6 * ClassificationData.MaxAbs(fusedGrad), "grad");
    }

    /// <summary>Softmax over dim 1 of an NCHW tensor, then NLLLoss (on probabilities, as a linear read-out), differentiated through the tape.</summary>
    [Fact]
    public void Softmax_module_backward_runs_through_the_tape()
    {
        int[] shape = [2, 3, 2, 2];
        ClassLayout layout = ClassLayout.ForLossInput(shape);
        var random = new Random(9);
        float[] x = ClassificationData.Logits(random, layout.Length);
        long[] y = ClassificationData.IndexTargets(random, layout.Entries, layout.Classes);
        var input = Tensor.FromValues(x, shape);
        input.RequiresGrad = true;
        var softmax = new Softmax(1);
        Tensor probabilities = softmax.Forward(input);
        Assert.Equal(shape, probabilities.Shape.ToArray());
        new NLLLoss(reduction: Reduction.Sum).Forward(probabilities, IndexTensor.FromValues(y, 2, 2, 2)).Backward();

        double Loss(double[] p)
        {
            double[] s = ClassificationReference.Softmax(p, layout.Batch, layout.Classes, layout.Inner);
            return ClassificationReference.Nll(s, layout.Batch, layout.Classes, layout.Inner, y, null, -100, Reduction.Sum).Reduced;
        }

        ClassificationData.AssertAllClose(FiniteDifference.Gradient(Loss, ClassificationData.ToDouble(x)), input.Grad!.Span, 1e-4, 1e-6, "grad");
    }

    [Fact]
    public void Softmax_modules_normalize_the_given_dimension()
    {
        var input = Tensor.FromValues([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Tensor rows = new Softmax(-1).Forward(input);
        Tensor columns = new Softmax(0).Forward(input);
        double[] rowRef = ClassificationReference.Softmax([1, 2, 3, 4, 5, 6], 2, 3, 1);
        double[] columnRef = ClassificationReference.Softmax([1, 2, 3, 4, 5, 6], 1, 2, 3);
        ClassificationData.AssertAllClose(rowRef, rows.Span, 1e-6, 1e-7, "dim -1");
        ClassificationData.AssertAllClose(columnRef, columns.Span, 1e-6, 1e-7, "dim 0");
        Tensor log = new LogSoftmax(1).Forward(input);
        ClassificationData.AssertAllClose(rowRef.Select(v => Math.Log(v)).ToArray(), log.Span, 1e-6, 1e-6, "log");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Softmax(2).Forward(input));
        Assert.StartsWith("Dimension out of range (expected to be in range of [-2, 1], but got 2)", ex.Message);
    }

    /// <summary>FromValues with no shape makes a 1-D tensor; an unbatched input needs a 0-dim target.</summary>
    private static IndexTensor Target(long[] values, int[] shape) =>
        shape.Length == 0 ? IndexTensor.Scalar(values[0]) : IndexTensor.FromValues(values, shape);

    private static int[] TargetShape(int[] inputShape) =>
        inputShape.Length == 1 ? [] : [inputShape[0], .. inputShape[2..]];
}
