using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>
/// The third seed's program: Linear(1, 1) fitted to y = 2x on x = 1, 2, 3 with MSE and SGD(lr = 0.01) for 1000
/// epochs, with the library's MSELoss. The run is compared step by step with the same recurrence in float64 (tolerance 1e-4 after 1000
/// epochs of float32 rounding), and ends near weight 2 and bias 0 with a falling loss.
/// </summary>
public sealed class LinearRegressionTests
{
    [Fact]
    public void The_seed_regression_converges_to_weight_two_and_bias_zero()
    {
        GradMode.ReleaseThreadResults();
        var model = new Linear(1, 1, generator: new Generator(2024));
        var criterion = new MSELoss();
        var optimizer = new SGD(model.Parameters(), lr: 0.01f);
        Tensor x = Tensor.FromValues([1f, 2f, 3f], 3, 1), y = Tensor.FromValues([2f, 4f, 6f], 3, 1);

        double w = model.Weight.Item(), b = model.Bias!.Span[0];
        var losses = new float[1000];
        for (int epoch = 0; epoch < losses.Length; epoch++)
        {
            Tensor loss = criterion.Forward(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            losses[epoch] = loss.Item();

            // d/dw mean((w x + b - y)^2) = 2/3 sum (w x + b - y) x; d/db = 2/3 sum (w x + b - y).
            double gw = 0, gb = 0;
            for (int i = 1; i <= 3; i++)
            {
                double residual = (w * i) + b - (2.0 * i);
                gw += 2.0 / 3.0 * residual * i;
                gb += 2.0 / 3.0 * residual;
            }

            w -= 0.01 * gw;
            b -= 0.01 * gb;
        }

        Assert.Equal(w, model.Weight.Item(), 1e-4);
        Assert.Equal(b, model.Bias.Span[0], 1e-4);
        Assert.InRange(model.Weight.Item(), 1.85f, 2.15f);
        Assert.InRange(model.Bias.Span[0], -0.35f, 0.35f);
        Assert.True(losses[999] < losses[99] && losses[99] < losses[0], $"loss {losses[0]} -> {losses[99]} -> {losses[999]}");
        Assert.True(losses[999] < 0.01f, $"final loss {losses[999]}");
    }
}
