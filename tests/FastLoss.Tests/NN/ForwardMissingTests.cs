using FastLoss.NN;

namespace FastLoss.Tests.NN;

/// <summary>
/// A module or loss of one's own that does not override ForwardCore fails on its first call as torch's nn.Module
/// does (its default forward raises "Module [Name] is missing the required "forward" function"), and the failed
/// call leaves nothing on the graph: the next step through a working model is unaffected.
/// </summary>
public sealed class ForwardMissingTests
{
    private sealed class NoForward : Module
    {
        public NoForward() => Weight = RegisterParameter("weight", Tensor.FromValues([1f, 2f], 2));

        public Tensor Weight { get; }
    }

    private sealed class NoForwardLoss() : Loss(Reduction.Mean);

    [Fact]
    public void A_module_without_forward_raises_torchs_error_and_records_nothing()
    {
        var input = Tensor.FromValues([0.5f, -1f], 1, 2);
        input.RequiresGrad = true;
        var error = Assert.Throws<NotImplementedException>(() => new NoForward().Forward(input));
        Assert.Equal("Module [NoForward] is missing the required \"forward\" function", error.Message);

        // A working forward and backward afterwards: the gradient is only this step's.
        var linear = new Linear(2, 1, generator: new Generator(1));
        new MSELoss().Forward(linear.Forward(input), Tensor.FromValues([3f], 1, 1)).Backward();
        float[] once = input.Grad!.ToArray();
        input.Grad = null;
        new MSELoss().Forward(linear.Forward(input), Tensor.FromValues([3f], 1, 1)).Backward();
        Assert.Equal(once, input.Grad!.ToArray());
    }

    [Fact]
    public void A_loss_without_forward_raises_torchs_error()
    {
        var input = Tensor.FromValues([0.5f, -1f], 2);
        var error = Assert.Throws<NotImplementedException>(() => new NoForwardLoss().Forward(input, input));
        Assert.Equal("Module [NoForwardLoss] is missing the required \"forward\" function", error.Message);
    }
}
