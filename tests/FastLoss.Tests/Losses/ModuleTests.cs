using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Losses;

/// <summary>The module API: reductions, broadcasting of weights, autograd accumulation, no-grad mode.</summary>
public class ModuleTests
{
    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_zeroed()
    {
        var input = Tensor.FromValues([1f, 2f, 3f]);
        input.RequiresGrad = true;
        var target = Tensor.FromValues([0f, 0f, 0f]);
        var mse = new MSELoss(Reduction.Sum);
        mse.Forward(input, target).Backward();
        mse.Forward(input, target).Backward();
        Assert.Equal([4f, 8f, 12f], input.Grad!.ToArray());
        input.ZeroGrad();
        Assert.Equal([0f, 0f, 0f], input.Grad!.ToArray());
    }

    [Fact]
    public void Weights_broadcast_from_the_class_dimension_as_in_torch()
    {
        float[] x = [0.2f, 0.4f, 0.6f, 0.8f, 0.1f, 0.9f];
        float[] y = [1f, 0f, 1f, 0f, 1f, 1f];
        var input = Tensor.FromValues(x, 2, 3);
        input.RequiresGrad = true;
        var loss = new BCELoss(Tensor.FromValues([1f, 2f, 3f], 3)).Forward(input, Tensor.FromValues(y, 2, 3));

        float[] fullWeight = [1f, 2f, 3f, 1f, 2f, 3f];
        Assert.Equal(BinaryCrossEntropy.Forward(x, y, Reduction.Mean, fullWeight), loss.Item());
        loss.Backward();
        var expected = new float[6];
        BinaryCrossEntropy.Backward(x, y, expected, Reduction.Mean, 1f, fullWeight);
        Assert.Equal(expected, input.Grad!.ToArray());
    }

    [Fact]
    public void Reduction_none_returns_the_input_shape_and_feeds_upstream_gradients_through_a_sum()
    {
        var input = Tensor.FromValues([1f, -2f, 3f, 0.5f], 2, 2);
        var target = Tensor.FromValues([0f, 0f, 0f, 0f], 2, 2);
        var loss = new HuberLoss(Reduction.None, delta: 1f).Forward(input, target);
        Assert.Equal([2, 2], loss.Shape.ToArray());
        Assert.Equal([0.5f, 1.5f, 2.5f, 0.125f], loss.ToArray());
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
    }

    [Fact]
    public void No_grad_mode_records_nothing_and_computes_the_same_loss()
    {
        var input = Tensor.FromValues([1f, 2f, 3f]);
        input.RequiresGrad = true;
        var target = Tensor.FromValues([1f, 2f, 5f]);
        float recorded = new L1Loss().Forward(input, target).Item();
        GradMode.ReleaseThreadResults();
        using (GradMode.NoGrad())
        {
            var loss = new L1Loss().Forward(input, target);
            Assert.False(loss.RequiresGrad);
            Assert.Equal(recorded, loss.Item());
        }

        Assert.Equal(0, GradMode.PendingNodes);
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void The_BCEWithLogits_pos_weight_gradient_matches_the_span_kernel_at_extreme_logits()
    {
        float[] x = [1000f, -1000f, 0f, 3f, -3f, 20f];
        float[] y = [1f, 0f, 0.5f, 1f, 0f, 0f];
        var input = Tensor.FromValues(x, 2, 3);
        input.RequiresGrad = true;
        var module = new BCEWithLogitsLoss(posWeight: Tensor.FromValues([2f, 0.5f, 1f], 3));
        var loss = module.Forward(input, Tensor.FromValues(y, 2, 3));
        Assert.True(float.IsFinite(loss.Item()));
        loss.Backward();
        Assert.All(input.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
        // logit 1000 with target 1 and logit -1000 with target 0 are confidently right: zero loss and gradient.
        Assert.Equal(0f, input.Grad!.Span[0]);
        Assert.Equal(0f, input.Grad!.Span[1]);
    }
}
