using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Losses;

/// <summary>
/// What the modules of KLDivLoss, PoissonNLLLoss, SoftMarginLoss and HingeEmbeddingLoss do beyond their numbers:
/// batchmean, the targets torch refuses or gives no gradient, and the reductions other losses refuse.
/// </summary>
public class PointwiseLossModuleTests
{
    [Fact]
    public void KLDiv_batchmean_is_the_sum_over_the_batch_size_and_scales_both_gradients()
    {
        float[] x = [-1.2f, -0.4f, -2f, -0.1f, -3f, -0.7f];
        float[] y = [0.2f, 0.5f, 0f, 0.9f, 0.05f, 0.3f];
        var input = Tensor.FromValues(x, 2, 3);
        var target = Tensor.FromValues(y, 2, 3);
        input.RequiresGrad = true;
        target.RequiresGrad = true;
        Tensor batchMean = new KLDivLoss(Reduction.BatchMean).Forward(input, target);
        Assert.Equal(KLDivergence.Forward(x, y, Reduction.Sum) / 2f, batchMean.Item(), 6);

        batchMean.Backward(Tensor.Scalar(3f));
        var inputGrad = new float[6];
        KLDivergence.Backward(x, y, inputGrad, Reduction.Sum, 1.5f);
        Assert.Equal(inputGrad, input.Grad!.ToArray());
        var targetGrad = new float[6];
        KLDivergence.TargetBackward(x, y, targetGrad, Reduction.Sum, 1.5f);
        Assert.Equal(targetGrad, target.Grad!.ToArray()); // NaN at the zero target, as torch's
        Assert.True(float.IsNaN(target.Grad!.Span[2]));
    }

    [Fact]
    public void KLDiv_batchmean_of_a_0_dim_input_is_its_sum()
    {
        Tensor loss = new KLDivLoss(Reduction.BatchMean).Forward(Tensor.Scalar(-0.5f), Tensor.Scalar(0.25f));
        Assert.Equal(KLDivergence.Forward([-0.5f], [0.25f], Reduction.Sum), loss.Item());
    }

    [Fact]
    public void Only_KLDiv_takes_batchmean_and_the_span_functions_say_how_to_get_it()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new MSELoss(Reduction.BatchMean));
        Assert.StartsWith("batchmean is not a valid value for reduction", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SoftMarginLoss(Reduction.BatchMean));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(reduction: Reduction.BatchMean));

        var spans = Assert.Throws<ArgumentException>(() => KLDivergence.Forward([-1f], [0.5f], Reduction.BatchMean));
        Assert.Contains("Reduction.Sum and divide by the batch size", spans.Message, StringComparison.Ordinal);
        float[] gradient = [7f];
        Assert.Throws<ArgumentException>(() => KLDivergence.Backward([-1f], [0.5f], gradient, Reduction.BatchMean));
        Assert.Equal(7f, gradient[0]);
    }

    [Fact]
    public void SoftMargin_refuses_a_target_that_requires_grad_in_torchs_words_and_records_nothing()
    {
        var input = Tensor.FromValues([0.5f, -1f], 2);
        input.RequiresGrad = true;
        var target = Tensor.FromValues([1f, -1f], 2);
        target.RequiresGrad = true;
        var loss = new SoftMarginLoss();
        var exception = Assert.Throws<ArgumentException>(() => loss.Forward(input, target));
        Assert.StartsWith(
            "The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. This input cannot have requires_grad True.",
            exception.Message,
            StringComparison.Ordinal);

        // torch checks only when it records: under no_grad the same call computes the loss.
        using (GradMode.NoGrad())
        {
            Assert.Equal(SoftMargin.Forward([0.5f, -1f], [1f, -1f]), loss.Forward(input, target).Item());
        }

        // The module is unharmed: with a plain target it trains.
        target.RequiresGrad = false;
        loss.Forward(input, target).Backward();
        Assert.NotNull(input.Grad);
    }

    [Fact]
    public void HingeEmbedding_leaves_a_label_target_without_gradient_as_torch_does()
    {
        var input = Tensor.FromValues([0.5f, -1f, 2f, 0.3f], 4);
        var target = Tensor.FromValues([1f, -1f, -1f, 0.5f], 4);
        input.RequiresGrad = true;
        target.RequiresGrad = true;
        Tensor loss = new HingeEmbeddingLoss().Forward(input, target);
        Assert.Equal(0.875f, loss.Item(), 6); // torch: 0.875
        loss.Backward();
        Assert.Equal([0.25f, -0.25f, 0f, 0f], input.Grad!.ToArray());
        Assert.Null(target.Grad);
    }

    [Fact]
    public void HingeEmbedding_with_only_the_target_requiring_grad_records_no_graph()
    {
        var target = Tensor.FromValues([1f, -1f], 2);
        target.RequiresGrad = true;
        Tensor loss = new HingeEmbeddingLoss().Forward(Tensor.FromValues([0.5f, -1f], 2), target);
        Assert.False(loss.RequiresGrad);
        var exception = Assert.ThrowsAny<InvalidOperationException>(() => loss.Backward());
        Assert.StartsWith("element 0 of tensors does not require grad and does not have a grad_fn", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PoissonNll_module_passes_its_flags_and_eps_to_the_kernel()
    {
        float[] x = [0f, 0.5f, 2f, 1e-3f];
        float[] y = [1f, 0f, 3f, 2f];
        foreach (bool logInput in new[] { true, false })
        {
            foreach (bool full in new[] { true, false })
            {
                var module = new PoissonNLLLoss(logInput, full, eps: 0.25f, Reduction.Sum);
                Assert.Equal(PoissonNll.Forward(x, y, Reduction.Sum, logInput, full, 0.25f), module.Forward(Tensor.FromValues(x, 4), Tensor.FromValues(y, 4)).Item());
            }
        }
    }

    [Fact]
    public void Seed_values_of_torch_match()
    {
        // torch 2.10: F.kl_div(x, y, reduction='none') for x = [-0.5, -1, -2], y = [0, 0.3, 0.7] is [0, -0.0611919, 1.1503274].
        float[] kl = new float[3];
        KLDivergence.ForwardNone([-0.5f, -1f, -2f], [0f, 0.3f, 0.7f], kl);
        Assert.Equal([0f, -0.061191857f, 1.1503274f], kl, new FloatUlps(4));

        // F.poisson_nll_loss(x, y, log_input=True, full=True, reduction='none') for x = [0.5, -1, 2, 0], y = [0, 1, 3, 1.5].
        float[] poisson = new float[4];
        PoissonNll.ForwardNone([0.5f, -1f, 2f, 0f], [0f, 1f, 3f, 1.5f], poisson, logInput: true, full: true);
        Assert.Equal([1.6487212f, 1.3678794f, 3.1531377f, 1.2298688f], poisson, new FloatUlps(4));

        // F.soft_margin_loss([1.], [1.]) = 0.3132617 (log(1 + exp(-1))).
        Assert.Equal(0.3132617f, SoftMargin.Forward([1f], [1f]), new FloatUlps(4));
    }

    /// <summary>Floats equal within a few units in the last place (libm and the vector exp and log differ by that).</summary>
    private sealed class FloatUlps(int ulps) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b)) <= ulps || a == b;

        public int GetHashCode(float value) => 0;
    }
}
