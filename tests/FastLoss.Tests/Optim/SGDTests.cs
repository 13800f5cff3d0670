using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Optim;

/// <summary>
/// SGD against a float64 re-implementation of torch 2.10's update over four steps with changing gradients.
/// Tolerance 1e-6 absolute + 1e-5 relative (a few float32 roundings per step, parameters of size ~1).
/// </summary>
public sealed class SGDTests
{
    public static TheoryData<float, float, float, bool, bool> Variants => new()
    {
        // momentum, dampening, weight decay, nesterov, maximize
        { 0f, 0f, 0f, false, false },
        { 0.9f, 0f, 0f, false, false },
        { 0.9f, 0.5f, 0f, false, false },
        { 0.9f, 0f, 0f, true, false },
        { 0f, 0f, 0.1f, false, false },
        { 0f, 0f, 0f, false, true },
        { 0f, 0f, 0.1f, false, true },
        { 0.8f, 0.3f, 0.05f, false, true },
        { 0.7f, 0f, 0.2f, true, true },
        { 0.5f, 0.1f, 0.01f, false, false },
        { 0.9f, 1f, 0f, false, false },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_variant_matches_the_float64_formula_over_four_steps(float momentum, float dampening, float weightDecay, bool nesterov, bool maximize)
    {
        const float lr = 0.05f;
        // 37 elements: full vectors plus a scalar tail; a second parameter shows state is per parameter.
        Tensor p = TestData.Tensor(51, 37);
        Tensor q = TestData.Tensor(52, 3);
        p.RequiresGrad = q.RequiresGrad = true;
        var optimizer = new SGD([p, q], lr, momentum, dampening, weightDecay, nesterov, maximize);
        double[] expectedP = TestData.ToDouble(p.Span), expectedQ = TestData.ToDouble(q.Span);
        double[]? bufferP = null, bufferQ = null;
        for (int step = 0; step < 4; step++)
        {
            float[] gp = TestData.Uniform(p.Length, 100 + step), gq = TestData.Uniform(q.Length, 200 + step);
            p.Grad = Tensor.FromValues(gp, p.Shape.ToArray());
            q.Grad = Tensor.FromValues(gq, q.Shape.ToArray());
            optimizer.Step();
            Update(expectedP, gp, ref bufferP, lr, momentum, dampening, weightDecay, nesterov, maximize);
            Update(expectedQ, gq, ref bufferQ, lr, momentum, dampening, weightDecay, nesterov, maximize);
            TestData.AssertClose(expectedP, p.Span, 1e-6, 1e-5, $"p after step {step + 1}");
            TestData.AssertClose(expectedQ, q.Span, 1e-6, 1e-5, $"q after step {step + 1}");
            Assert.Equal(gp, p.Grad!.ToArray());
        }

        if (momentum != 0f)
        {
            TestData.AssertClose(bufferP!, optimizer.GetMomentumBuffer(0), 1e-6, 1e-5, "momentum buffer");
        }
        else
        {
            Assert.True(optimizer.GetMomentumBuffer(0).IsEmpty);
        }
    }

    [Fact]
    public void Maximize_negates_before_weight_decay_as_torch_2_10_does()
    {
        // g = 1, p = 1, wd = 0.5, lr = 1: torch 2.10 uses g' = -1 + 0.5 = -0.5, so p becomes 1.5
        // (negating after decay would give g' = -1.5 and p = 2.5).
        Tensor p = Tensor.FromValues([1f]);
        p.Grad = Tensor.FromValues([1f], p.Shape.ToArray());
        new SGD([p], lr: 1f, weightDecay: 0.5f, maximize: true).Step();
        Assert.Equal(1.5f, p.Item());
    }

    [Fact]
    public void The_first_momentum_step_copies_the_gradient_without_dampening()
    {
        Tensor p = Tensor.FromValues([0f]);
        p.Grad = Tensor.FromValues([2f], p.Shape.ToArray());
        var optimizer = new SGD([p], lr: 1f, momentum: 0.9f, dampening: 0.5f);
        optimizer.Step();
        Assert.Equal(2f, optimizer.GetMomentumBuffer(0)[0]);
        Assert.Equal(-2f, p.Item());
        optimizer.Step();
        // buf = 0.9 * 2 + 0.5 * 2 = 2.8
        Assert.Equal(2.8f, optimizer.GetMomentumBuffer(0)[0], 6);
    }

    [Fact]
    public void Parameters_without_a_gradient_are_skipped_and_ZeroGrad_zeroes_in_place()
    {
        Tensor withGrad = Tensor.FromValues([1f, 2f]), without = Tensor.FromValues([3f]);
        withGrad.Grad = Tensor.Zeros(withGrad.Shape.ToArray());
        Span<float> grad = withGrad.Grad.Span;
        grad[0] = 1f;
        grad[1] = -1f;
        var optimizer = new SGD([withGrad, without], lr: 0.5f, momentum: 0.9f);
        optimizer.Step();
        Assert.Equal([0.5f, 2.5f], withGrad.ToArray());
        Assert.Equal([3f], without.ToArray());
        Assert.True(optimizer.GetMomentumBuffer(1).IsEmpty);
        Tensor gradBefore = withGrad.Grad!;
        optimizer.ZeroGrad();
        Assert.Same(gradBefore, withGrad.Grad);
        Assert.Equal([0f, 0f], withGrad.Grad!.ToArray());
    }

    [Fact]
    public void Momentum_buffers_can_be_restored_for_checkpoints()
    {
        Tensor p = Tensor.FromValues([0f, 0f]);
        p.Grad = Tensor.Zeros(p.Shape.ToArray());
        p.Grad.Span.Fill(1f);
        var optimizer = new SGD([p], lr: 1f, momentum: 0.5f);
        optimizer.SetMomentumBuffer(0, [4f, 8f]);
        optimizer.Step();
        // buf = 0.5 * [4, 8] + 1 = [3, 5]; p = -buf.
        Assert.Equal([3f, 5f], optimizer.GetMomentumBuffer(0).ToArray());
        Assert.Equal([-3f, -5f], p.ToArray());
        var wrong = Assert.Throws<ArgumentException>(() => optimizer.SetMomentumBuffer(0, [1f]));
        Assert.Contains("must have 2 elements, got 1", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_are_validated_with_torch_messages()
    {
        Tensor[] ps = [Tensor.Zeros(2)];
        Assert.StartsWith("Invalid learning rate: -1", Assert.Throws<ArgumentException>(() => new SGD(ps, -1f)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Invalid momentum value: -0.5", Assert.Throws<ArgumentException>(() => new SGD(ps, 0.1f, momentum: -0.5f)).Message, StringComparison.Ordinal);
        Assert.StartsWith("Invalid weight_decay value: -0.1", Assert.Throws<ArgumentException>(() => new SGD(ps, 0.1f, weightDecay: -0.1f)).Message, StringComparison.Ordinal);
        Assert.StartsWith(
            "Nesterov momentum requires a momentum and zero dampening",
            Assert.Throws<ArgumentException>(() => new SGD(ps, 0.1f, nesterov: true)).Message, StringComparison.Ordinal);
        Assert.StartsWith(
            "Nesterov momentum requires a momentum and zero dampening",
            Assert.Throws<ArgumentException>(() => new SGD(ps, 0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true)).Message, StringComparison.Ordinal);
        Assert.StartsWith("optimizer got an empty parameter list", Assert.Throws<ArgumentException>(() => new SGD([], 0.1f)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gradients_accumulate_across_two_backward_calls_without_ZeroGrad()
    {
        FastLoss.Autograd.GradMode.ReleaseThreadResults();
        var layer = new Linear(4, 3);
        var loss = new WeightedSumLoss(TestData.Uniform(6, 61));
        Tensor x = TestData.Tensor(62, 2, 4);
        loss.Forward(layer.Forward(x)).Backward();
        float[] weightOnce = layer.Weight.Grad!.ToArray(), biasOnce = layer.Bias!.Grad!.ToArray();
        loss.Forward(layer.Forward(x)).Backward();
        TestData.AssertClose(Array.ConvertAll(weightOnce, v => 2.0 * v), layer.Weight.Grad!.Span, 1e-6, 1e-6, "weight gradient");
        TestData.AssertClose(Array.ConvertAll(biasOnce, v => 2.0 * v), layer.Bias.Grad!.Span, 1e-6, 1e-6, "bias gradient");

        var optimizer = new SGD(layer.Parameters(), lr: 0.1f);
        optimizer.ZeroGrad();
        Assert.All(layer.Weight.Grad!.ToArray(), g => Assert.Equal(0f, g));
        loss.Forward(layer.Forward(x)).Backward();
        TestData.AssertClose(Array.ConvertAll(weightOnce, v => (double)v), layer.Weight.Grad!.Span, 1e-6, 1e-6, "after ZeroGrad");
    }

    [Fact]
    public void Step_allocates_nothing_after_the_first()
    {
        Tensor p = TestData.Tensor(71, 1000);
        p.Grad = Tensor.Zeros(p.Shape.ToArray());
        p.Grad.Span.Fill(0.01f);
        var optimizer = new SGD([p], lr: 0.1f, momentum: 0.9f, weightDecay: 0.01f, nesterov: true);
        optimizer.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            optimizer.Step();
            optimizer.ZeroGrad();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>torch 2.10's _single_tensor_sgd for one parameter, in float64.</summary>
    private static void Update(
        double[] p, float[] grad, ref double[]? buffer, double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize)
    {
        bool first = buffer is null;
        if (momentum != 0 && first)
        {
            buffer = new double[p.Length];
        }

        for (int i = 0; i < p.Length; i++)
        {
            double g = maximize ? -grad[i] : grad[i];
            if (weightDecay != 0)
            {
                g += weightDecay * p[i];
            }

            if (momentum != 0)
            {
                buffer![i] = first ? g : (momentum * buffer[i]) + ((1 - dampening) * g);
                g = nesterov ? g + (momentum * buffer[i]) : buffer[i];
            }

            p[i] -= lr * g;
        }
    }
}
