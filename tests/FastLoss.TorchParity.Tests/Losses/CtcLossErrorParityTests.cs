using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// The CTC arguments torch rejects are rejected by FastLoss with libtorch's message word for word, before anything
/// is written or recorded: span outputs keep their contents, the input gets no gradient and no node is pending.
/// A label outside [0, C), which libtorch's CPU kernel does not check (it reads outside log_probs), is refused with
/// nll_loss's message; a target longer than its input is no error (an infinite loss) in both.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class CtcLossErrorParityTests
{
    private const int Time = 5;
    private const int Batch = 2;
    private const int Classes = 4;
    private const float Sentinel = -12345f;

    /// <summary>A name, then: blank, padded labels (rows of 3) or null for the concatenated ones, concatenated labels, input lengths, target lengths.</summary>
    public static TheoryData<string, int, long[]?, long[], long[], long[]> TorchErrors => new()
    {
        { "blank = C", Classes, [1, 2, 1, 3, 3, 2], [], [5, 4], [2, 3] },
        { "blank < 0", -1, [1, 2, 1, 3, 3, 2], [], [5, 4], [2, 3] },
        { "three input lengths", 0, [1, 2, 1, 3, 3, 2], [], [5, 4, 3], [2, 3] },
        { "one target length", 0, [1, 2, 1, 3, 3, 2], [], [5, 4], [1] },
        { "input length above T", 0, [1, 2, 1, 3, 3, 2], [], [6, 4], [2, 3] },
        { "negative input length", 0, [1, 2, 1, 3, 3, 2], [], [-1, 4], [2, 3] },
        { "negative target length", 0, [1, 2, 1, 3, 3, 2], [], [5, 4], [-1, 3] },
        { "padded rows too short", 0, [1, 2, 1, 3, 3, 2], [], [5, 4], [4, 3] },
        { "concatenated too short", 0, null, [1, 2, 1, 3], [5, 4], [2, 3] },
        { "concatenated too long", 0, null, [1, 2, 1, 3, 3, 1], [5, 4], [2, 3] },
        { "blank and counts: blank first", 9, [1, 2, 1, 3, 3, 2], [], [5, 4, 3], [2] },
        { "negative target length before input length above T", 0, [1, 2, 1, 3, 3, 2], [], [7, 4], [-2, 3] },
    };

    [Theory]
    [MemberData(nameof(TorchErrors))]
    public void Rejected_as_torch_rejects(string name, int blank, long[]? padded, long[] concatenated, long[] inputLengths, long[] targetLengths)
    {
        float[] logProbs = LogProbs();
        long[] labels = padded ?? concatenated;
        int[] labelShape = padded is null ? [concatenated.Length] : [Batch, padded.Length / Batch];
        string expected;
        using (var scope = torch.NewDisposeScope())
        {
            expected = TorchMessage(() => torch.nn.functional.ctc_loss(
                TorchConvert.ToTorch(logProbs, [Time, Batch, Classes]), torch.tensor(labels, Array.ConvertAll(labelShape, d => (long)d)),
                torch.tensor(inputLengths), torch.tensor(targetLengths), blank));
        }

        IndexTensor targets = IndexTensor.FromValues(labels, labelShape);
        AssertModuleRejects(expected, name, logProbs, [Time, Batch, Classes], input =>
            new CTCLoss(blank).Forward(input, targets, IndexTensor.FromValues(inputLengths, inputLengths.Length), IndexTensor.FromValues(targetLengths, targetLengths.Length)));
        int[] inputInts = Array.ConvertAll(inputLengths, v => (int)v);
        int[] targetInts = Array.ConvertAll(targetLengths, v => (int)v);
        AssertModuleRejects(expected, name, logProbs, [Time, Batch, Classes], input =>
            new CTCLoss(blank, Reduction.Sum).Forward(input, targets, inputInts, targetInts));

        var layout = new CtcLayout(Time, Batch, Classes);
        var options = new CtcOptions { Blank = blank };
        float[] workspace = new float[10_000];
        float[] grad = new float[layout.Length];
        float[] losses = new float[Batch];
        void Check(Action call, string entryPoint)
        {
            Array.Fill(grad, Sentinel);
            Array.Fill(losses, Sentinel);
            var exception = Assert.ThrowsAny<ArgumentException>(call);
            Assert.Equal(expected, exception.Message);
            Assert.True(Array.TrueForAll(grad, v => v == Sentinel) && Array.TrueForAll(losses, v => v == Sentinel), $"{name}: {entryPoint} wrote before rejecting");
        }

        CtcTargets Targets() => padded is null
            ? CtcTargets.Concatenated(concatenated, inputInts, targetInts)
            : CtcTargets.Padded(padded, padded.Length / Batch, inputInts, targetInts);
        Check(() => CtcLoss.Forward(logProbs, layout, Targets(), workspace, options), "Forward");
        Check(() => CtcLoss.ForwardNone(logProbs, layout, Targets(), losses, workspace, options), "ForwardNone");
        Check(() => CtcLoss.ForwardBackward(logProbs, layout, Targets(), grad, workspace, options), "ForwardBackward");
        Check(() => CtcLoss.ForwardBackwardNone(logProbs, layout, Targets(), losses, [1f, 1f], grad, workspace, options), "ForwardBackwardNone");
    }

    /// <summary>Shapes: log_probs of rank other than 2 or 3 (torch names the rank after unsqueezing), targets of rank 3, padded targets with the wrong row count.</summary>
    [Fact]
    public void Shapes_are_rejected_as_torch_rejects()
    {
        float[] logProbs = LogProbs();
        long[] labels = [1, 2, 1, 3, 3, 2];
        using var scope = torch.NewDisposeScope();
        torch.Tensor il = torch.tensor(new long[] { 5, 4 });
        torch.Tensor tl = torch.tensor(new long[] { 2, 3 });
        var module = new CTCLoss();

        string rank4 = TorchMessage(() => torch.nn.functional.ctc_loss(TorchConvert.ToTorch(logProbs, [1, Time, Batch, Classes]), torch.tensor(labels, [2, 3]), il, tl));
        AssertModuleRejects(rank4, "4-D log_probs", logProbs, [1, Time, Batch, Classes], input =>
            module.Forward(input, IndexTensor.FromValues(labels, 2, 3), [5, 4], [2, 3]));

        string targets3 = TorchMessage(() => torch.nn.functional.ctc_loss(TorchConvert.ToTorch(logProbs, [Time, Batch, Classes]), torch.tensor(labels, [1, 2, 3]), il, tl));
        AssertModuleRejects(targets3, "3-D targets", logProbs, [Time, Batch, Classes], input =>
            module.Forward(input, IndexTensor.FromValues(labels, 1, 2, 3), [5, 4], [2, 3]));

        string rows = TorchMessage(() => torch.nn.functional.ctc_loss(TorchConvert.ToTorch(logProbs, [Time, Batch, Classes]), torch.tensor(labels, [3, 2]), il, tl));
        AssertModuleRejects(rows, "3 rows of padded targets", logProbs, [Time, Batch, Classes], input =>
            module.Forward(input, IndexTensor.FromValues(labels, 3, 2), [5, 4], [2, 3]));

        string unbatched = TorchMessage(() => torch.nn.functional.ctc_loss(
            TorchConvert.ToTorch(logProbs.AsSpan(0, Time * Classes), [Time, Classes]), torch.tensor(new long[] { 1, 2, 1 }), torch.tensor(5L), torch.tensor(2L)));
        AssertModuleRejects(unbatched, "unbatched targets longer than the target length", logProbs.AsSpan(0, Time * Classes).ToArray(), [Time, Classes], input =>
            module.Forward(input, IndexTensor.FromValues([1L, 2, 1], 3), IndexTensor.Scalar(5), IndexTensor.Scalar(2)));
    }

    /// <summary>An empty input (no sequences, no time steps, no classes) is refused before anything else, as torch refuses it.</summary>
    [Theory]
    [InlineData(Batch, 0, Classes)]
    [InlineData(0, Time, Classes)]
    [InlineData(Batch, Time, 0)]
    public void Empty_log_probs_are_rejected_as_torch_rejects(int batch, int time, int classes)
    {
        long[] labels = new long[batch * 2];
        long[] lengths = new long[batch];
        string expected;
        using (var scope = torch.NewDisposeScope())
        {
            expected = TorchMessage(() => torch.nn.functional.ctc_loss(
                torch.zeros(time, batch, classes), torch.tensor(labels, [batch, 2]), torch.tensor(lengths), torch.tensor(lengths)));
        }

        int[] ints = new int[batch];
        AssertModuleRejects(expected, "empty", [], [time, batch, classes], input =>
            new CTCLoss().Forward(input, IndexTensor.FromValues(labels, batch, 2), ints, ints));
        var exception = Assert.ThrowsAny<ArgumentException>(() => CtcLoss.Forward(
            [], new CtcLayout(time, batch, classes), CtcTargets.Padded(labels, 2, ints, ints), new float[16]));
        Assert.Equal(expected, exception.Message);
    }

    /// <summary>torch's CPU kernel does not check labels; FastLoss refuses one outside [0, C) rather than read outside the input.</summary>
    [Theory]
    [InlineData(4L)]
    [InlineData(-1L)]
    public void A_label_outside_the_classes_is_refused(long label)
    {
        float[] logProbs = LogProbs();
        AssertModuleRejects($"Target {label} is out of bounds.", "label", logProbs, [Time, Batch, Classes], input =>
            new CTCLoss().Forward(input, IndexTensor.FromValues([1, label, 1, 3, 3, 2], 2, 3), [5, 4], [2, 3]));

        // A label past the target length is padding, not read.
        Tensor loss = new CTCLoss().Forward(Tensor.FromValues(logProbs, Time, Batch, Classes), IndexTensor.FromValues([1, 2, label, 3, 3, 2], 2, 3), [5, 4], [2, 3]);
        Assert.True(float.IsFinite(loss.Item()));
    }

    /// <summary>torch's module raises for a call without lengths.</summary>
    [Fact]
    public void A_call_without_lengths_is_refused()
    {
        var exception = Assert.Throws<ArgumentException>(() => new CTCLoss().Forward(Tensor.FromValues(LogProbs(), Time, Batch, Classes), Tensor.Zeros(2, 3)));
        Assert.Equal("forward() missing 2 required positional arguments: 'input_lengths' and 'target_lengths'", exception.Message);
    }

    private static float[] LogProbs()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        return TorchConvert.ToArray(torch.randn(Time, Batch, Classes).log_softmax(2));
    }

    private static void AssertModuleRejects(string expected, string name, float[] logProbs, int[] shape, Func<Tensor, Tensor> forward)
    {
        GradMode.ReleaseThreadResults();
        Tensor input = Tensor.FromValues(logProbs, shape);
        input.RequiresGrad = true;
        var exception = Assert.ThrowsAny<ArgumentException>(() => forward(input));
        Assert.True(expected == exception.Message, $"{name}: torch says \"{expected}\", FastLoss \"{exception.Message}\"");
        Assert.Null(input.Grad);
        Assert.Equal(0, GradMode.PendingNodes);
    }

    private static string TorchMessage(Func<torch.Tensor> call)
    {
        var exception = Assert.ThrowsAny<Exception>(() => call());
        return exception.Message.Split('\n')[0].Trim();
    }
}
