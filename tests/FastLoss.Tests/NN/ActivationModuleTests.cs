using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.NN;

/// <summary>ReLU, Sigmoid and Tanh modules: forward, gradient through the tape, accumulation, and no allocation per step.</summary>
public sealed class ActivationModuleTests
{
    [Fact]
    public void Module_gradients_match_the_analytic_derivatives()
    {
        GradMode.ReleaseThreadResults();
        float[] values = [-2f, -0.5f, 0f, 0.5f, 2f, 3f];
        foreach (Module activation in new Module[] { new ReLU(), new Sigmoid(), new Tanh() })
        {
            var input = Tensor.FromValues(values, 2, 3);
            input.RequiresGrad = true;
            var output = activation.Forward(input);
            Assert.Equal([2, 3], output.Shape.ToArray());
            new MSELoss(Reduction.Sum).Forward(output, Tensor.Zeros(2, 3)).Backward();
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                (double f, double d) = activation switch
                {
                    ReLU => (Math.Max(v, 0), v > 0 ? 1.0 : 0.0),
                    Sigmoid => (1 / (1 + Math.Exp(-v)), Math.Exp(-v) / Math.Pow(1 + Math.Exp(-v), 2)),
                    _ => (Math.Tanh(v), 1 - (Math.Tanh(v) * Math.Tanh(v))),
                };
                Assert.Equal(f, output.Span[i], 5);
                Assert.Equal(2 * f * d, input.Grad!.Span[i], 5); // d/dx sum f(x)^2 = 2 f f'
            }
        }
    }

    [Fact]
    public void A_step_through_activations_allocates_nothing_after_the_first()
    {
        GradMode.ReleaseThreadResults();
        var model = new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 8), new Tanh(), new Linear(8, 1), new Sigmoid());
        var x = Tensor.FromValues(new float[32 * 8].Select((_, i) => (i % 7) / 7f).ToArray(), 32, 8);
        var y = Tensor.Zeros(32, 1);
        var loss = new MSELoss();
        var optimizer = new FastLoss.Optim.SGD(model.Parameters(), lr: 0.1f);
        void Step()
        {
            var l = loss.Forward(model.Forward(x), y);
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, 100));
    }
}
