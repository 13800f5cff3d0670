using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Losses;

/// <summary>Bad input raises torch's message with the shapes or the offending value, and writes nothing.</summary>
public class BadInputTests
{
    [Fact]
    public void Mismatched_span_lengths_name_both_sizes_and_write_nothing()
    {
        float[] grad = [7f, 7f, 7f];
        var error = Assert.Throws<ArgumentException>(() => MeanSquaredError.ForwardBackward([1f, 2f, 3f], [1f, 2f], grad));
        Assert.Contains("The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0", error.Message, StringComparison.Ordinal);
        Assert.Equal([7f, 7f, 7f], grad);
    }

    [Fact]
    public void Mismatched_module_shapes_use_torchs_wording_for_each_loss()
    {
        var input = Tensor.FromValues([0.1f, 0.2f, 0.3f], 3);
        var target = Tensor.FromValues([0f, 1f], 2);
        Assert.Equal(
            "Target size (torch.Size([2])) must be the same as input size (torch.Size([3])) (Parameter 'target')",
            Assert.Throws<ArgumentException>(() => new BCEWithLogitsLoss().Forward(input, target)).Message);
        Assert.StartsWith(
            "Using a target size (torch.Size([2])) that is different to the input size (torch.Size([3])) is deprecated.",
            Assert.Throws<ArgumentException>(() => new BCELoss().Forward(input, target)).Message,
            StringComparison.Ordinal);
        Assert.StartsWith(
            "Using a target size (torch.Size([2])) that is different to the input size (torch.Size([3])).",
            Assert.Throws<ArgumentException>(() => new L1Loss().Forward(input, target)).Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.25f)]
    [InlineData(float.NaN)]
    public void BCE_input_outside_0_1_names_the_value_and_index_and_writes_nothing(float bad)
    {
        float[] x = [0.5f, 0.25f, bad, 0.75f];
        float[] y = [1f, 0f, 1f, 0f];
        float[] grad = [7f, 7f, 7f, 7f];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCrossEntropy.ForwardBackward(x, y, grad));
        Assert.Contains("all elements of input should be between 0 and 1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"input[2] = {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)}", error.Message, StringComparison.Ordinal);
        Assert.Equal([7f, 7f, 7f, 7f], grad);
    }

    [Theory]
    [InlineData(37, false)]
    [InlineData(95, true)]
    [InlineData(99, true)]
    public void BCE_range_check_finds_offenders_in_the_vector_body_and_the_tail(int index, bool inTarget)
    {
        var x = new float[100];
        var y = new float[100];
        Array.Fill(x, 0.5f);
        Array.Fill(y, 1f);
        (inTarget ? y : x)[index] = float.NaN;
        string name = inTarget ? "target" : "input";
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCrossEntropy.Forward(x, y));
        Assert.Contains($"all elements of {name} should be between 0 and 1 ({name}[{index}] = NaN)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BCE_target_outside_0_1_is_rejected_as_torch_does()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BinaryCrossEntropy.Forward([0.5f], [2f]));
        Assert.Contains("all elements of target should be between 0 and 1 (target[0] = 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pos_weight_of_the_wrong_length_names_both_sizes_and_leaves_the_gradient_alone()
    {
        var input = Tensor.FromValues(new float[12], 4, 3);
        input.RequiresGrad = true;
        var target = Tensor.FromValues(new float[12], 4, 3);
        var loss = new BCEWithLogitsLoss(posWeight: Tensor.FromValues([1f, 2f], 2));
        int recorded = FastLoss.Autograd.GradMode.PendingNodes;
        var error = Assert.Throws<ArgumentException>(() => loss.Forward(input, target));
        Assert.Equal("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1", error.Message);
        Assert.Null(input.Grad);
        Assert.Equal(recorded, FastLoss.Autograd.GradMode.PendingNodes);

        var spanError = Assert.Throws<ArgumentException>(() => BinaryCrossEntropyWithLogits.Forward(new float[12], new float[12], Reduction.Mean, default, new float[3]));
        Assert.Contains("posWeight has 3 elements but the input has 12", spanError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reduction_none_is_refused_where_one_number_is_returned()
    {
        float[] grad = [7f];
        Assert.Throws<ArgumentException>(() => L1.Forward([1f], [2f], Reduction.None));
        Assert.Throws<ArgumentException>(() => L1.ForwardBackward([1f], [2f], grad, Reduction.None));
        Assert.Throws<ArgumentException>(() => L1.Backward([1f], [2f], grad, Reduction.None));
        Assert.Equal([7f], grad);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_torchs_message()
    {
        Assert.Contains("smooth_l1_loss does not support negative values for beta", Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothL1Loss(beta: -1f)).Message, StringComparison.Ordinal);
        Assert.Contains("huber_loss does not support non-positive values for delta", Assert.Throws<ArgumentOutOfRangeException>(() => new HuberLoss(delta: 0f)).Message, StringComparison.Ordinal);
    }
}
