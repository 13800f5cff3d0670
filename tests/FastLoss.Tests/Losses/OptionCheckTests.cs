using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Losses;

/// <summary>
/// Options torch refuses are refused in both APIs, NaN included (every span entry point and the module
/// constructors), in torch's words with the value; MSE's mean gradient stays finite where torch's does.
/// </summary>
public sealed class OptionCheckTests
{
    public static TheoryData<float> BadBetas => new() { -1f, -0.001f, float.NaN, float.NegativeInfinity };

    public static TheoryData<float> BadDeltas => new() { -1f, 0f, float.NaN, float.NegativeInfinity };

    [Theory]
    [MemberData(nameof(BadBetas))]
    public void A_negative_or_NaN_beta_is_refused_everywhere(float beta)
    {
        float[] x = [1f, 2f], y = [0f, 4f], g = new float[2], l = new float[2];
        var calls = new Action[]
        {
            () => SmoothL1.Forward(x, y, beta: beta),
            () => SmoothL1.ForwardNone(x, y, l, beta),
            () => SmoothL1.Backward(x, y, g, beta: beta),
            () => SmoothL1.BackwardNone(x, y, [1f, 1f], g, beta),
            () => SmoothL1.ForwardBackward(x, y, g, beta: beta),
            () => SmoothL1.TargetBackward(x, y, g, beta: beta),
            () => SmoothL1.TargetBackwardNone(x, y, [1f, 1f], g, beta),
            () => _ = new SmoothL1Loss(beta: beta),
        };
        foreach (Action call in calls)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.StartsWith("smooth_l1_loss does not support negative values for beta", error.Message);
            Assert.Contains(beta.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        }

        Assert.Equal([0f, 0f], g);
    }

    [Theory]
    [MemberData(nameof(BadDeltas))]
    public void A_delta_that_is_not_positive_is_refused_everywhere(float delta)
    {
        float[] x = [1f, 2f], y = [0f, 4f], g = new float[2], l = new float[2];
        var calls = new Action[]
        {
            () => Huber.Forward(x, y, delta: delta),
            () => Huber.ForwardNone(x, y, l, delta),
            () => Huber.Backward(x, y, g, delta: delta),
            () => Huber.BackwardNone(x, y, [1f, 1f], g, delta),
            () => Huber.ForwardBackward(x, y, g, delta: delta),
            () => Huber.TargetBackward(x, y, g, delta: delta),
            () => Huber.TargetBackwardNone(x, y, [1f, 1f], g, delta),
            () => _ = new HuberLoss(delta: delta),
        };
        foreach (Action call in calls)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.StartsWith("huber_loss does not support non-positive values for delta", error.Message);
        }
    }

    [Fact]
    public void The_mse_mean_gradient_is_finite_where_twice_the_difference_overflows()
    {
        // d = 2e38: 2 d overflows float, (2 / n) d does not (torch computes the latter).
        float[] x = [2e38f, -2e38f, 1f, 0f], y = [0f, 0f, 0f, 0f];
        var gradient = new float[4];
        _ = MeanSquaredError.ForwardBackward(x, y, gradient);
        Assert.Equal(1e38f, gradient[0]);
        Assert.Equal(-1e38f, gradient[1]);
        Assert.Equal(0.5f, gradient[2]);
        MeanSquaredError.Backward(x, y, gradient);
        Assert.Equal(1e38f, gradient[0]);
        MeanSquaredError.TargetBackward(x, y, gradient);
        Assert.Equal(-1e38f, gradient[0]);

        Tensor input = Tensor.FromValues(x), target = Tensor.FromValues(y);
        input.RequiresGrad = true;
        new MSELoss().Forward(input, target).Backward();
        Assert.Equal(1e38f, input.Grad!.Values[0]);
    }
}
