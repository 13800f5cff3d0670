using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Classification;

/// <summary>
/// Bad input gets torch's message and changes nothing: the module's previous output, the input's gradient, the
/// tape, and the span-level outputs keep their values.
/// </summary>
public class ClassificationErrorTests
{
    [Theory]
    [InlineData(5L, "Target 5 is out of bounds.")]
    [InlineData(-1L, "Target -1 is out of bounds.")]
    [InlineData(-100L, null)]
    public void Out_of_bounds_targets_are_refused_before_anything_is_written(long bad, string? message)
    {
        var input = Tensor.FromValues([0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 1f, 2f, 3f, 4f, 5f], 2, 5);
        input.RequiresGrad = true;
        var loss = new CrossEntropyLoss(reduction: Reduction.None);
        GradMode.ReleaseThreadResults();
        Tensor output = loss.Forward(input, IndexTensor.FromValues([1L, 2]));
        output.Span.Fill(42f);
        int pending = GradMode.PendingNodes;

        if (message is null)
        {
            // The ignore index is never out of bounds: its entry's loss is 0, and the earlier result is left alone.
            Tensor ignored = loss.Forward(input, IndexTensor.FromValues([bad, 2]));
            Assert.Equal(0f, ignored.Span[0]);
            Assert.All(output.ToArray(), v => Assert.Equal(42f, v));
            GradMode.ReleaseThreadResults();
            return;
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Forward(input, IndexTensor.FromValues([1L, bad])));
        Assert.Equal(message, ex.Message);
        Assert.All(output.ToArray(), v => Assert.Equal(42f, v));
        Assert.Null(input.Grad);
        Assert.Equal(pending, GradMode.PendingNodes);
        input.RequiresGrad = false;

        Assert.Equal(message, Assert.Throws<ArgumentOutOfRangeException>(() => new NLLLoss().Forward(input, IndexTensor.FromValues([bad, 1L]))).Message);
        Assert.Equal(message, Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: 0.1f).Forward(input, IndexTensor.FromValues([bad, 1L]))).Message);

        // K-dimensional targets too.
        var image = Tensor.Zeros(1, 5, 2, 2);
        Assert.Equal(message, Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Forward(image, IndexTensor.FromValues([0L, 1, bad, 2], 1, 2, 2))).Message);
    }

    [Fact]
    public void Span_kernels_write_nothing_when_a_target_is_out_of_bounds()
    {
        float[] logits = [0.1f, 0.2f, 0.3f, 1f, 2f, 3f];
        var layout = new ClassLayout(2, 3, 1);
        float[] losses = [42f, 42f];
        float[] grad = [7f, 7f, 7f, 7f, 7f, 7f];
        Assert.Equal("Target 3 is out of bounds.", Assert.Throws<ArgumentOutOfRangeException>(() =>
            CrossEntropy.ForwardBackwardNone(logits, layout, [0L, 3], losses, grad)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.ForwardBackward(logits, layout, [0L, 3], grad));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Backward(logits, layout, [0L, 3], grad));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.BackwardNone(logits, layout, [0L, 3], [1f, 1f], grad));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.ForwardNone(logits, layout, [0L, 3], losses));
        Assert.Throws<ArgumentOutOfRangeException>(() => NllLoss.ForwardBackward(logits, layout, [-5L, 1], grad));
        Assert.Throws<ArgumentOutOfRangeException>(() => NllLoss.ForwardNone(logits, layout, [-5L, 1], losses));
        Assert.Throws<ArgumentOutOfRangeException>(() => NllLoss.Backward(layout, [0L, 3], grad));
        Assert.Equal([42f, 42f], losses);
        Assert.All(grad, g => Assert.Equal(7f, g));
    }

    [Fact]
    public void Batch_size_mismatch_has_torchs_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(3, 5), IndexTensor.Zeros(2)));
        Assert.Equal("Expected input batch_size (3) to match target batch_size (2).", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new NLLLoss().Forward(Tensor.Zeros(3, 5, 4), IndexTensor.Zeros(2, 4)));
        Assert.Equal("Expected input batch_size (3) to match target batch_size (2).", ex.Message);
    }

    [Fact]
    public void Probability_targets_of_another_shape_get_the_message_torch_gives_for_that_shape()
    {
        // torch reads a float target of another shape as class indices and fails on that path.
        var loss = new CrossEntropyLoss();
        const string Note = " (a float target is taken as class probabilities only when its shape equals the input's: ";
        Assert.Equal("Expected input batch_size (3) to match target batch_size (2)." + Note + "target torch.Size([2, 5]), input torch.Size([3, 5]))",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(3, 5), Tensor.Zeros(2, 5))).Message);
        Assert.Equal("0D or 1D target tensor expected, multi-target not supported" + Note + "target torch.Size([3, 4]), input torch.Size([3, 5]))",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(3, 5), Tensor.Zeros(3, 4))).Message);
        Assert.Equal("expected scalar type Long but found Float" + Note + "target torch.Size([3]), input torch.Size([3, 5]))",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(3, 5), Tensor.Zeros(3))).Message);
        Assert.Equal("only batches of spatial targets supported (3D tensors) but got targets of dimension: 4" + Note + "target torch.Size([2, 4, 3, 3]), input torch.Size([2, 5, 3, 3]))",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 5, 3, 3), Tensor.Zeros(2, 4, 3, 3))).Message);
    }

    [Fact]
    public void Probability_targets_refuse_a_non_negative_ignore_index()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(ignoreIndex: 0).Forward(Tensor.Zeros(3, 5), Tensor.Zeros(3, 5)));
        Assert.Equal("ignore_index is not supported for floating point target", ex.Message);
        Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(new float[15], new ClassLayout(3, 5, 1), new float[15], new CrossEntropyOptions { IgnoreIndex = 2 }));
    }

    [Fact]
    public void Weight_of_the_wrong_length_has_torchs_message()
    {
        Tensor weight = Tensor.FromValues([1f, 2f]);
        Assert.Equal("weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]",
            Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(weight).Forward(Tensor.Zeros(4, 3), IndexTensor.Zeros(4))).Message);
        Assert.Equal("weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]",
            Assert.Throws<ArgumentException>(() => new NLLLoss(weight).Forward(Tensor.Zeros(3), IndexTensor.Scalar(0))).Message);
        Assert.Equal("cross_entropy: weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]",
            Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(weight).Forward(Tensor.Zeros(4, 3), Tensor.Zeros(4, 3))).Message);

        // torch's nll_loss2d (every input of 3 or more dimensions) words it without the sizes.
        Assert.Equal("weight tensor should be defined either for all or no classes (the input has C = 3 classes, the weight 2 values)",
            Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(weight).Forward(Tensor.Zeros(2, 3, 4), IndexTensor.Zeros(2, 4))).Message);

        // Span level: the same message from the layout's class count.
        Assert.Equal("weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]",
            Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(new float[12], new ClassLayout(4, 3, 1), new long[4], new CrossEntropyOptions { Weight = [1f, 2f] })).Message);
    }

    [Fact]
    public void Targets_of_the_wrong_rank_have_torchs_messages()
    {
        var loss = new CrossEntropyLoss();
        Assert.Equal("only batches of spatial targets supported (3D tensors) but got targets of dimension: 2",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 5, 3, 3), IndexTensor.Zeros(2, 9))).Message);
        Assert.Equal("size mismatch (got input: [2, 5, 3, 3] , target: [2, 3, 4]",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 5, 3, 3), IndexTensor.Zeros(2, 3, 4))).Message);
        Assert.Equal("Expected target size [2, 4], got [2, 5]",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 3, 4), IndexTensor.Zeros(2, 5))).Message);
        Assert.Equal("Expected target size [2, 4], got [2]",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 3, 4), IndexTensor.Zeros(2))).Message);
        Assert.Equal("0D or 1D target tensor expected, multi-target not supported",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 3), IndexTensor.Zeros(2, 1))).Message);
        Assert.Equal("For 1D input, 1D target must have size 1, but got target size: 3",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(5), IndexTensor.Zeros(3))).Message);

        // torch's forward takes a one-element 1-D target for a (C) input, but its backward refuses it with this message.
        Assert.Equal("size mismatch (got input: [5], target: [1])",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(5), IndexTensor.Zeros(1))).Message);
        Assert.Equal("Expected 1 or more dimensions (got 0)",
            Assert.Throws<ArgumentException>(() => new NLLLoss().Forward(Tensor.Scalar(1f), IndexTensor.Scalar(0))).Message);

        // cross_entropy reads a target shaped like the input as probabilities first, which must be floats.
        Assert.Equal("Expected floating point type for target with class probabilities, got Long",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Scalar(1f), IndexTensor.Scalar(0))).Message);
        Assert.Equal("Expected floating point type for target with class probabilities, got Long",
            Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(2, 3), IndexTensor.Zeros(2, 3))).Message);
    }

    [Fact]
    public void Label_smoothing_outside_0_to_1_is_refused()
    {
        Assert.Equal("label_smoothing must be between 0.0 and 1.0. Got: 1.5",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: 1.5f)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CrossEntropy.Forward(new float[3], new ClassLayout(1, 3, 1), new long[1], new CrossEntropyOptions { LabelSmoothing = 2f }));
    }

    [Fact]
    public void An_unknown_reduction_is_refused()
    {
        Assert.StartsWith("7 is not a valid value for reduction", Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(reduction: (Reduction)7)).Message);
        Assert.StartsWith("7 is not a valid value for reduction", Assert.Throws<ArgumentOutOfRangeException>(() => new NLLLoss(reduction: (Reduction)7)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Backward(new float[3], new ClassLayout(1, 3, 1), new long[1], new float[3], reduction: (Reduction)7));
    }

    [Fact]
    public void Span_lengths_and_overlaps_are_checked_with_the_sizes_named()
    {
        var layout = new ClassLayout(2, 3, 1);
        float[] logits = new float[6];
        Assert.Equal("The logits has 5 elements but the layout (batch 2, classes 3, inner 1) needs 6.",
            Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(new float[5], layout, new long[2])).Message);
        Assert.Equal("The targets has 3 elements but the layout (batch 2, classes 3, inner 1) needs 2.",
            Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(logits, layout, new long[3])).Message);
        Assert.Equal("The loss has 1 elements but the layout (batch 2, classes 3, inner 1) needs 2.",
            Assert.Throws<ArgumentException>(() => CrossEntropy.ForwardNone(logits, layout, new long[2], new float[1])).Message);
        Assert.Equal("The gradient must not overlap the logits.",
            Assert.Throws<ArgumentException>(() => CrossEntropy.ForwardBackward(logits, layout, new long[2], logits)).Message);
        Assert.StartsWith("Reduction.None does not reduce to one number",
            Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(logits, layout, new long[2], reduction: Reduction.None)).Message);
        Assert.StartsWith("Reduction.None does not reduce to one number",
            Assert.Throws<ArgumentException>(() => NllLoss.ForwardBackward(logits, layout, new long[2], new float[6], reduction: Reduction.None)).Message);
        Assert.Throws<ArgumentException>(() => SoftmaxKernel.Forward(logits, layout, logits));
        Assert.Throws<ArgumentException>(() => LogSoftmaxKernel.Backward(new float[6], new float[6], layout, new float[5]));
    }
}
