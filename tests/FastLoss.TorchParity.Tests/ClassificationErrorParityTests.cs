using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// Targets and shapes torch rejects in CrossEntropyLoss and NLLLoss are rejected by FastLoss too, with torch's
/// message word for word, before anything is written: span outputs keep their contents, the input gets no
/// gradient and nothing is recorded on the tape.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class ClassificationErrorParityTests
{
    private const float Sentinel = -12345f;

    /// <summary>Inputs with one class index outside [0, C) that is not ignore_index: (C) with a 0-dim target, (N, C), (N, C, d), (N, C, H, W).</summary>
    public static TheoryData<int[], long[]> OutOfBoundsTargets => new()
    {
        { [5], [7] },
        { [3, 5], [0, 5, 1] },
        { [3, 5], [0, -1, 1] },
        { [2, 5, 3], [0, 1, 2, 3, 4, 5] },
        { [2, 5, 2, 2], [0, 1, 2, 3, 4, 0, 9, 1] },
    };

    [Theory]
    [MemberData(nameof(OutOfBoundsTargets))]
    public void Out_of_bounds_targets_are_rejected_as_torch_does(int[] shape, long[] targets)
    {
        var layout = ClassLayout.ForLossInput(shape);
        float[] logits = new ParityData(shape.Length).ClassLogits(layout.Length, large: false);
        int[] targetShape = shape.Length == 1 ? [] : [shape[0], .. shape[2..]];
        long bad = Array.Find(targets, t => t < 0 || t >= layout.Classes);
        string expected = $"Target {bad} is out of bounds.";

        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(logits, shape);
            torch.Tensor y = TorchClassification.Indices(targets, targetShape);
            Assert.Equal(expected, TorchMessage(() => torch.nn.functional.cross_entropy(x, y)));
            Assert.Equal(expected, TorchMessage(() => TorchClassification.NllLoss(x, y, null, ClassificationInputs.DefaultIgnoreIndex, Reduction.Mean)));
        }

        IndexTensor target = shape.Length == 1 ? IndexTensor.Scalar(targets[0]) : IndexTensor.FromValues(targets, targetShape);
        AssertModuleRejects(expected, shape, logits, input => new CrossEntropyLoss().Forward(input, target));
        AssertModuleRejects(expected, shape, logits, input => new CrossEntropyLoss(labelSmoothing: 0.1f).Forward(input, target));
        AssertModuleRejects(expected, shape, logits, input => new NLLLoss().Forward(input, target));

        float[] output = new float[layout.Length];
        float[] upstream = new float[layout.Entries];
        Array.Fill(upstream, 1f);
        void Check(Action call, string entryPoint)
        {
            Array.Fill(output, Sentinel);
            var exception = Assert.ThrowsAny<ArgumentException>(call);
            Assert.Equal(expected, exception.Message);
            Assert.True(Array.TrueForAll(output, value => value == Sentinel), $"{entryPoint} wrote its output before rejecting the targets");
        }

        Check(() => CrossEntropy.Forward(logits, layout, targets), "CrossEntropy.Forward");
        Check(() => CrossEntropy.ForwardNone(logits, layout, targets, output.AsSpan(0, layout.Entries)), "CrossEntropy.ForwardNone");
        Check(() => CrossEntropy.Backward(logits, layout, targets, output), "CrossEntropy.Backward");
        Check(() => CrossEntropy.BackwardNone(logits, layout, targets, upstream, output), "CrossEntropy.BackwardNone");
        Check(() => CrossEntropy.ForwardBackward(logits, layout, targets, output), "CrossEntropy.ForwardBackward");
        Check(() => CrossEntropy.ForwardBackwardNone(logits, layout, targets, new float[layout.Entries], output), "CrossEntropy.ForwardBackwardNone");
        Check(() => NllLoss.Forward(logits, layout, targets), "NllLoss.Forward");
        Check(() => NllLoss.ForwardNone(logits, layout, targets, output.AsSpan(0, layout.Entries)), "NllLoss.ForwardNone");
        Check(() => NllLoss.Backward(layout, targets, output), "NllLoss.Backward");
        Check(() => NllLoss.BackwardNone(layout, targets, upstream, output), "NllLoss.BackwardNone");
        Check(() => NllLoss.ForwardBackward(logits, layout, targets, output), "NllLoss.ForwardBackward");
    }

    /// <summary>A target outside [0, C) that equals ignore_index is not an error in torch, nor in FastLoss.</summary>
    [Fact]
    public void An_ignored_target_outside_the_classes_is_accepted_as_torch_does()
    {
        float[] logits = new ParityData(3).ClassLogits(15, large: false);
        long[] targets = [0, 7, 4];
        float torchCe;
        float torchNll;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(logits, [3, 5]);
            torch.Tensor y = TorchClassification.Indices(targets, [3]);
            torchCe = torch.nn.functional.cross_entropy(x, y, ignore_index: 7, label_smoothing: 0.2).item<float>();
            torchNll = TorchClassification.NllLoss(x, y, null, 7, Reduction.Mean).item<float>();
        }

        var input = Tensor.FromValues(logits, 3, 5);
        var target = IndexTensor.FromValues(targets, 3);

        // Tolerances as CrossEntropyCase and NllCase: 1e-5 and 1e-6 relative.
        Closeness.AssertClose(torchCe, new CrossEntropyLoss(ignoreIndex: 7, labelSmoothing: 0.2f).Forward(input, target).Item(), 1e-5, 2e-6, "cross entropy");
        Closeness.AssertClose(torchNll, new NLLLoss(ignoreIndex: 7).Forward(input, target).Item(), 1e-6, 1e-6, "nll");
    }

    /// <summary>Index targets whose batch differs from the input's.</summary>
    public static TheoryData<int[], int[]> BatchMismatches => new()
    {
        { [3, 2], [2] },
        { [3, 2, 4], [2, 4] },
        { [3, 2, 4, 4], [2, 4, 4] },
    };

    [Theory]
    [MemberData(nameof(BatchMismatches))]
    public void Batch_mismatch_is_rejected_as_torch_does(int[] shape, int[] targetShape)
    {
        int length = TensorShape.ElementCount(shape);
        float[] logits = new ParityData(length).ClassLogits(length, large: false);
        long[] targets = new long[TensorShape.ElementCount(targetShape)];
        string expected = $"Expected input batch_size ({shape[0]}) to match target batch_size ({targetShape[0]}).";

        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(logits, shape);
            torch.Tensor y = TorchClassification.Indices(targets, targetShape);
            Assert.Equal(expected, TorchMessage(() => torch.nn.functional.cross_entropy(x, y)));
            Assert.Equal(expected, TorchMessage(() => TorchClassification.NllLoss(x, y, null, ClassificationInputs.DefaultIgnoreIndex, Reduction.Mean)));
        }

        var target = IndexTensor.FromValues(targets, targetShape);
        AssertModuleRejects(expected, shape, logits, input => new CrossEntropyLoss().Forward(input, target));
        AssertModuleRejects(expected, shape, logits, input => new NLLLoss().Forward(input, target));
    }

    /// <summary>
    /// Float targets are probabilities only when shaped like the input; otherwise torch treats them as class indices
    /// and fails on the index path's first check, so each mismatch gets that check's message.
    /// </summary>
    public static TheoryData<int[], int[]> ProbabilityShapeMismatches => new()
    {
        { [3, 2], [3, 3] },
        { [3, 2], [2, 2] },
        { [3, 2], [3] },
        { [2, 3, 4], [2, 4, 3] },
        { [4], [3] },
    };

    [Theory]
    [MemberData(nameof(ProbabilityShapeMismatches))]
    public void Probability_targets_of_another_shape_are_rejected_as_torch_does(int[] shape, int[] targetShape)
    {
        int length = TensorShape.ElementCount(shape);
        var data = new ParityData(length);
        float[] logits = data.ClassLogits(length, large: false);
        float[] probabilities = data.Uniform(TensorShape.ElementCount(targetShape), 0f, 1f);

        string expected;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(logits, shape);
            torch.Tensor y = TorchConvert.ToTorch(probabilities, targetShape);
            expected = TorchMessage(() => torch.nn.functional.cross_entropy(x, y));
        }

        // torch's message, and then the shapes that made the target a class-index one.
        AssertModuleRejects(
            $"{expected} (a float target is taken as class probabilities only when its shape equals the input's: target {TensorShape.Format(targetShape)}, input {TensorShape.Format(shape)})",
            shape, logits, input => new CrossEntropyLoss().Forward(input, Tensor.FromValues(probabilities, targetShape)));

        // The span methods see lengths only (a permuted shape of the same length is the caller's layout to state);
        // torch has no counterpart, so the message is FastLoss's own.
        if (probabilities.Length != length)
        {
            var layout = ClassLayout.ForLossInput(shape);
            float[] grad = new float[length];
            Array.Fill(grad, Sentinel);
            Assert.ThrowsAny<ArgumentException>(() => CrossEntropy.ForwardBackward(logits, layout, (ReadOnlySpan<float>)probabilities, grad));
            Assert.True(Array.TrueForAll(grad, value => value == Sentinel), "ForwardBackward wrote the gradient before rejecting the targets");
        }
    }

    public static TheoryData<int[]> InputShapes => new() { Array.Empty<int>(), new[] { 4 }, new[] { 3, 5 }, new[] { 2, 5, 3 } };

    /// <summary>
    /// An index target shaped like the input: cross_entropy takes it for class probabilities and asks for floats
    /// (even for a 0-dim input); nll_loss fails on its own shape checks.
    /// </summary>
    [Theory]
    [MemberData(nameof(InputShapes))]
    public void Index_targets_shaped_like_the_input_are_rejected_as_torch_does(int[] shape)
    {
        int length = TensorShape.ElementCount(shape);
        float[] logits = new ParityData(length).ClassLogits(length, large: false);
        long[] targets = new long[length];
        string crossEntropyMessage;
        string nllMessage;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(logits, shape);
            torch.Tensor y = TorchClassification.Indices(targets, shape);
            crossEntropyMessage = TorchMessage(() => torch.nn.functional.cross_entropy(x, y));
            nllMessage = TorchMessage(() => TorchClassification.NllLoss(x, y, null, ClassificationInputs.DefaultIgnoreIndex, Reduction.Mean));
        }

        IndexTensor target = shape.Length == 0 ? IndexTensor.Scalar(0) : IndexTensor.FromValues(targets, shape);
        AssertModuleRejects(crossEntropyMessage, shape, logits, input => new CrossEntropyLoss().Forward(input, target));
        AssertModuleRejects(nllMessage, shape, logits, input => new NLLLoss().Forward(input, target));
    }

    /// <summary>
    /// torch's forward takes a one-element 1-D target for an unbatched (C) input, but its backward (nll_loss_backward)
    /// refuses that pair; FastLoss, whose modules compute the gradient in the forward pass, refuses it up front with
    /// the backward's message.
    /// </summary>
    [Fact]
    public void A_one_element_target_for_an_unbatched_input_is_refused_with_torchs_backward_message()
    {
        float[] logits = new ParityData(41).ClassLogits(6, large: false);
        string backwardMessage;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(logits, [6], requiresGrad: true);
            torch.Tensor loss = torch.nn.functional.cross_entropy(x, TorchClassification.Indices([4], [1]));
            Assert.Empty(loss.shape);
            backwardMessage = TorchMessage(() =>
            {
                loss.backward();
                return loss;
            });
        }

        Assert.Equal("size mismatch (got input: [6], target: [1])", backwardMessage);
        var target = IndexTensor.FromValues([4L], 1);
        AssertModuleRejects(backwardMessage, [6], logits, input => new CrossEntropyLoss().Forward(input, target));
        AssertModuleRejects(backwardMessage, [6], logits, input => new NLLLoss().Forward(input, target));
    }

    /// <summary>
    /// The module call throws torch's message, leaves the input without a gradient and records nothing. (FromValues
    /// reads an empty shape as 1-D, so a 0-dim input is made with Scalar.)
    /// </summary>
    private static void AssertModuleRejects(string expected, int[] shape, float[] logits, Func<Tensor, Tensor> forward)
    {
        GradMode.ReleaseThreadResults();
        Tensor input = shape.Length == 0 ? Tensor.Scalar(logits[0]) : Tensor.FromValues(logits, shape);
        input.RequiresGrad = true;
        var exception = Assert.ThrowsAny<ArgumentException>(() => forward(input));
        Assert.Equal(expected, exception.Message);
        Assert.Null(input.Grad);
        Assert.Equal(0, GradMode.PendingNodes);
    }

    /// <summary>
    /// The message of the error libtorch raises (the test fails if it does not raise): its first line, or for a
    /// TorchScript call the line after "RuntimeError: " (the interpreter prefixes a traceback).
    /// </summary>
    private static string TorchMessage(Func<torch.Tensor> call)
    {
        var exception = Assert.ThrowsAny<Exception>(() => call());
        string message = exception.Message;
        const string Marker = "RuntimeError: ";
        int at = message.LastIndexOf(Marker, StringComparison.Ordinal);
        string from = at >= 0 ? message[(at + Marker.Length)..] : message;
        return from.Split('\n')[0].Trim();
    }
}
