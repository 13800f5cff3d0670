using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>After warm-up, 1,000 calls of each span function, fused call and module step allocate nothing.</summary>
public class AllocationTests
{
    private const int Calls = 1000;

    [Fact]
    public void Span_functions_and_fused_calls_allocate_nothing()
    {
        const int n = 4099;
        float[] x = new float[n], y = new float[n], w = new float[n], p = new float[n], g = new float[n], l = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (i % 100) / 100f;
            y[i] = ((i * 7) % 100) / 100f;
            w[i] = 1.5f;
            p[i] = 2f;
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(() => RunAll(x, y, w, p, g, l), Calls));
    }

    [Fact]
    public void Module_forward_and_backward_allocate_nothing_after_the_first_step()
    {
        var input = Tensor.FromValues(new float[64 * 10], 64, 10);
        var target = Tensor.FromValues(new float[64 * 10], 64, 10);
        var probabilities = Tensor.FromValues(new float[64 * 10], 64, 10);
        probabilities.Span.Fill(0.25f);
        input.RequiresGrad = true;
        probabilities.RequiresGrad = true;
        var mse = new MSELoss();
        var bce = new BCELoss(Tensor.FromValues(new float[10], 10));
        var logits = new BCEWithLogitsLoss(posWeight: Tensor.FromValues(new float[10], 10));
        var none = new SmoothL1Loss(Reduction.None);
        var kl = new KLDivLoss(Reduction.BatchMean);
        var poisson = new PoissonNLLLoss(full: true);
        var softMargin = new SoftMarginLoss();
        var hinge = new HingeEmbeddingLoss(reduction: Reduction.None);
        var upstream = Tensor.FromValues(new float[64 * 10], 64, 10);
        upstream.Span.Fill(1f);

        void Step()
        {
            input.ZeroGrad();
            mse.Forward(input, target).Backward();
            bce.Forward(probabilities, target).Backward();
            logits.Forward(input, target).Backward();
            none.Forward(input, target);
            kl.Forward(input, probabilities).Backward();
            poisson.Forward(input, target).Backward();
            softMargin.Forward(input, target).Backward();
            hinge.Forward(input, target).Backward(upstream);
        }

        // The first step plans the buffers; the warm-up also lets the JIT finish tiering.
        Assert.Equal(0, SteadyState.AllocatedBytes(Step, Calls));
    }

    [Fact]
    public void MultiLabelSoftMargin_module_steps_allocate_nothing_after_the_first()
    {
        var input = Tensor.FromValues(new float[64 * 10], 64, 10);
        var target = Tensor.FromValues(new float[64 * 10], 64, 10);
        input.RequiresGrad = target.RequiresGrad = true;
        var weight = Tensor.FromValues(new float[10], 10);
        weight.Span.Fill(0.5f);
        var mean = new MultiLabelSoftMarginLoss(weight);
        var none = new MultiLabelSoftMarginLoss(reduction: Reduction.None);
        var upstream = Tensor.FromValues(new float[64], 64);

        void Step()
        {
            input.ZeroGrad();
            target.ZeroGrad();
            mean.Forward(input, target).Backward();
            none.Forward(input, target).Backward(upstream);
        }

        Assert.Equal(0, SteadyState.AllocatedBytes(Step, Calls));
    }

    private static void RunAll(float[] x, float[] y, float[] w, float[] p, float[] g, float[] l)
    {
        L1.Forward(x, y);
        L1.ForwardBackward(x, y, g);
        MeanSquaredError.Forward(x, y, Reduction.Sum);
        MeanSquaredError.Backward(x, y, g);
        MeanSquaredError.ForwardBackward(x, y, g);
        SmoothL1.ForwardNone(x, y, l, 0.5f);
        SmoothL1.BackwardNone(x, y, l, g, 0.5f);
        SmoothL1.ForwardBackward(x, y, g, Reduction.Mean, 0.5f);
        Huber.Forward(x, y, Reduction.Mean, 2f);
        Huber.ForwardBackward(x, y, g, Reduction.Sum, 2f);
        BinaryCrossEntropy.Forward(x, y, Reduction.Mean, w);
        BinaryCrossEntropy.ForwardBackward(x, y, g, Reduction.Mean, w);
        BinaryCrossEntropyWithLogits.Forward(x, y, Reduction.Mean, w, p);
        BinaryCrossEntropyWithLogits.ForwardBackward(x, y, g, Reduction.Mean, default, p);
    }
}
