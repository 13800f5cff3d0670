using System.Text.RegularExpressions;
using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// Inputs torch rejects are rejected by FastLoss too, in torch's words, before any output is written.
/// TorchSharp prints sizes as [2, 3] where Python prints torch.Size([2, 3]); FastLoss uses Python's form,
/// so messages are compared after rewriting torch.Size([...]) to [...].
/// </summary>
[Collection(TorchOracle.Name)]
public sealed partial class ErrorParityTests
{
    private const float Sentinel = -12345f;

    public static TheoryData<string> Losses => new(LossCatalog.ByName.Keys);

    /// <summary>Pairs of shapes that differ and do not broadcast, so torch rejects them for every loss.</summary>
    private static readonly (int[] Input, int[] Target)[] MismatchedShapes = [([3], [2]), ([2, 3], [3, 2]), ([2, 3, 4], [2, 4, 3])];

    [Theory]
    [MemberData(nameof(Losses))]
    public void Modules_reject_mismatched_shapes_as_torch_does(string name)
    {
        ElementwiseLossCase loss = LossCatalog.ByName[name];
        foreach (var (inputShape, targetShape) in MismatchedShapes)
        {
            var data = new ParityData(inputShape.Length);
            LossInputs inputs = loss.MakeInputs(data, inputShape);
            float[] target = loss.MakeInputs(data, targetShape).Target;
            string torchMessage = TorchError(loss, inputs.Input, inputShape, target, targetShape);

            var input = Tensor.FromValues(inputs.Input, inputShape);
            var exception = Assert.ThrowsAny<ArgumentException>(
                () => loss.Module(input, Tensor.FromValues(target, targetShape), inputs, Reduction.Mean));

            string fastMessage = exception.Message;
            Assert.Contains(TensorShape.Format(inputShape), fastMessage, StringComparison.Ordinal);
            Assert.Contains(TensorShape.Format(targetShape), fastMessage, StringComparison.Ordinal);
            if (LossCatalog.ChecksShapes(name))
            {
                Assert.StartsWith(torchMessage, WithoutTorchSize(fastMessage), StringComparison.Ordinal);
            }
        }
    }

    /// <summary>The span kernels see lengths only; they reject a length mismatch with torch's broadcasting message.</summary>
    [Theory]
    [MemberData(nameof(Losses))]
    public void Span_kernels_reject_mismatched_lengths_as_torch_does(string name)
    {
        ElementwiseLossCase loss = LossCatalog.ByName[name];
        var data = new ParityData(3);
        LossInputs valid = loss.MakeInputs(data, [3]);
        var inputs = new LossInputs([3], valid.Input, valid.Target[..2]);
        string torchMessage = TorchError(loss, inputs.Input, [3], inputs.Target, [2]);

        var messages = AllEntryPointsThrow(loss, inputs);

        foreach (string message in messages)
        {
            if (LossCatalog.BroadcastsTargetFirst(name))
            {
                Assert.StartsWith("The size of tensor a (3) must match the size of tensor b (2)", message, StringComparison.Ordinal);
                Assert.StartsWith("The size of tensor a (2) must match the size of tensor b (3)", torchMessage, StringComparison.Ordinal);
            }
            else if (!LossCatalog.ChecksShapes(name))
            {
                Assert.StartsWith(torchMessage, message, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void BCE_input_outside_0_1_is_rejected_as_torch_does(float outside)
    {
        float[] input = [0.2f, outside, 0.7f];
        float[] target = [0f, 1f, 0.5f];
        AssertRejectedLikeTorch(input, target, "all elements of input should be between 0 and 1");
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void BCE_target_outside_0_1_is_rejected_as_torch_does(float outside)
    {
        float[] input = [0.2f, 0.5f, 0.7f];
        float[] target = [0f, outside, 0.5f];
        AssertRejectedLikeTorch(input, target, "all elements of target should be between 0 and 1");
    }

    private static void AssertRejectedLikeTorch(float[] input, float[] target, string torchWording)
    {
        ElementwiseLossCase loss = LossCatalog.ByName["BCELoss"];
        var inputs = new LossInputs([3], input, target);
        string torchMessage = TorchError(loss, input, [3], target, [3]);
        Assert.Equal(torchWording, torchMessage);

        foreach (string message in AllEntryPointsThrow(loss, inputs))
        {
            Assert.StartsWith(torchWording, message, StringComparison.Ordinal);
        }

        foreach (Reduction reduction in (Reduction[])[Reduction.None, Reduction.Sum, Reduction.Mean])
        {
            var exception = Assert.ThrowsAny<ArgumentException>(
                () => loss.Module(Tensor.FromValues(input, 3), Tensor.FromValues(target, 3), inputs, reduction));
            Assert.StartsWith(torchWording, exception.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Calls every span entry point, asserts each throws an ArgumentException and leaves its output
    /// untouched, and returns the messages.
    /// </summary>
    private static List<string> AllEntryPointsThrow(ElementwiseLossCase loss, LossInputs inputs)
    {
        var messages = new List<string>();
        float[] output = new float[inputs.Length];
        float[] upstream = new float[inputs.Length];
        Array.Fill(upstream, 1f);

        void Check(Action call, string entryPoint)
        {
            Array.Fill(output, Sentinel);
            var exception = Assert.ThrowsAny<ArgumentException>(call);
            Assert.True(Array.TrueForAll(output, value => value == Sentinel), $"{loss} {entryPoint} wrote its output before rejecting the arguments");
            messages.Add(exception.Message);
        }

        Check(() => loss.Forward(inputs, Reduction.Sum), "Forward(sum)");
        Check(() => loss.Forward(inputs, Reduction.Mean), "Forward(mean)");
        Check(() => loss.ForwardNone(inputs, output), "ForwardNone");
        Check(() => loss.Backward(inputs, output, Reduction.Mean, 1f), "Backward");
        Check(() => loss.BackwardNone(inputs, upstream, output), "BackwardNone");
        Check(() => loss.ForwardBackward(inputs, output, Reduction.Mean), "ForwardBackward");
        return messages;
    }

    /// <summary>The first line of the error libtorch raises for this call (the test fails if it does not raise).</summary>
    private static string TorchError(ElementwiseLossCase loss, float[] input, int[] inputShape, float[] target, int[] targetShape)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor x = TorchConvert.ToTorch(input, inputShape);
        torch.Tensor y = TorchConvert.ToTorch(target, targetShape);
        var inputs = new LossInputs(inputShape, input, target);
        var exception = Assert.ThrowsAny<Exception>(() => loss.Torch(x, y, inputs, torch.nn.Reduction.Mean));
        return exception.Message.Split('\n')[0].Trim();
    }

    private static string WithoutTorchSize(string message) => TorchSize().Replace(message, "$1");

    [GeneratedRegex(@"torch\.Size\((\[[^\]]*\])\)")]
    private static partial Regex TorchSize();
}
