using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Autograd;

/// <summary>
/// torch's graph semantics, program by program: a module called several times is several nodes, backward runs only
/// what the root reaches and frees it, recorded work nobody backpropagates never touches a gradient, and a call that
/// throws records nothing. Where torch's numbers are needed the TorchSharp parity tests have them; here the programs
/// are checked against float64 arithmetic or, bit for bit, against the equivalent program without the twist.
/// </summary>
public sealed class GraphSemanticsTests
{
    public GraphSemanticsTests() => GradMode.ReleaseThreadResults();

    [Fact]
    public void A_linear_applied_twice_accumulates_both_uses_into_its_weight()
    {
        // y = W (W x) for W 2x2 and a fixed x; dL/dW for L = sum(y) by hand: dL/dW = 1 (W x)^T + W^T 1 x^T.
        var layer = new Linear(2, 2, bias: false);
        layer.Weight.CopyFrom([0.5f, -1f, 2f, 0.25f]);
        var x = Tensor.FromValues([3f, -2f], 1, 2);
        layer.Forward(layer.Forward(x)).Sum().Backward();

        double[] w = [0.5, -1, 2, 0.25];
        double[] h = [(w[0] * 3) + (w[1] * -2), (w[2] * 3) + (w[3] * -2)];
        double[] back = [w[0] + w[2], w[1] + w[3]]; // W^T 1
        double[] expected = [h[0] + (back[0] * 3), h[1] + (back[0] * -2), h[0] + (back[1] * 3), h[1] + (back[1] * -2)];
        TestData.AssertClose(expected, layer.Weight.Grad!.Values, 1e-6, 1e-6, "dW");
    }

    [Fact]
    public void One_sigmoid_applied_three_times_trains_like_three_sigmoids()
    {
        // demo1 as written (one Sigmoid instance) and demo2's style (one per layer) must give the same bits.
        var (x, y) = (TestData.Tensor(1, 100, 4), Tensor.FromValues(TestData.Uniform(100, 2), 100, 1));
        var shared = new SeedMlp(new Generator(7));
        var separate = new Sequential(
            new Linear(4, 3), new Sigmoid(), new Linear(3, 2), new Sigmoid(), new Linear(2, 1), new Sigmoid());
        CopyParameters(shared, separate);

        float[] sharedLosses = Train(shared, x, y, 20), separateLosses = Train(separate, x, y, 20);
        Assert.Equal(separateLosses, sharedLosses);
        for (int i = 0; i < shared.Parameters().Count; i++)
        {
            Assert.Equal(separate.Parameters()[i].ToArray(), shared.Parameters()[i].ToArray());
        }

        Assert.True(sharedLosses[^1] < sharedLosses[0]);
        Assert.NotEqual(0f, shared.Linear1.Weight.Grad!.Values[0]);
    }

    [Fact]
    public void A_forward_pass_that_is_not_backpropagated_changes_no_gradient()
    {
        var plain = Cifar10Cnn.Create(new Generator(5));
        var looked = Cifar10Cnn.Create(new Generator(5));
        Tensor images = TestData.Tensor(3, 2, 3, 32, 32);
        IndexTensor labels = TestData.Labels(4, 2);
        var loss = new CrossEntropyLoss();

        for (int step = 0; step < 3; step++)
        {
            loss.Forward(plain.Forward(images), labels).Backward();

            // A look at the outputs and an evaluation loss without NoGrad, then the training step.
            Tensor preview = looked.Forward(images);
            _ = loss.Forward(preview, labels).Item();
            _ = looked.Forward(TestData.Tensor(9, 2, 3, 32, 32));
            loss.Forward(looked.Forward(images), labels).Backward();

            AssertSameGradients(plain, looked, $"step {step}");
        }

        Assert.Equal(0, GradMode.PendingNodes);
    }

    [Fact]
    public void A_forward_or_loss_that_throws_records_nothing_and_the_next_step_is_a_fresh_models()
    {
        var fresh = Cifar10Cnn.Create(new Generator(6));
        var faulted = Cifar10Cnn.Create(new Generator(6));
        Tensor images = TestData.Tensor(3, 2, 3, 32, 32);
        IndexTensor labels = TestData.Labels(4, 2);
        var loss = new CrossEntropyLoss();

        // A label out of range (the loss throws after the whole forward pass was recorded) and a wrong image size
        // (Linear throws after the convolutions were recorded).
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.Forward(faulted.Forward(images), IndexTensor.FromValues([3L, 12L])));
        Assert.Throws<ArgumentException>(() => faulted.Forward(TestData.Tensor(8, 2, 3, 16, 16)));
        Assert.Throws<ArgumentException>(() => loss.Forward(faulted.Forward(images), IndexTensor.FromValues([1L, 2L, 3L])));

        loss.Forward(fresh.Forward(images), labels).Backward();
        loss.Forward(faulted.Forward(images), labels).Backward();
        AssertSameGradients(fresh, faulted, "after the faults");
        Assert.Equal(0, GradMode.PendingNodes);
    }

    [Fact]
    public void A_second_backward_through_a_freed_graph_raises_torchs_message_and_retain_graph_allows_it()
    {
        var x = Tensor.FromValues([1f, 2f, 3f]);
        x.RequiresGrad = true;
        Tensor loss = (x * x).Sum();
        loss.Backward();
        var error = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.StartsWith("Trying to backward through the graph a second time", error.Message);
        Assert.Equal([2f, 4f, 6f], x.Grad!.ToArray());

        Tensor kept = (x * x).Sum();
        kept.Backward(retainGraph: true);
        kept.Backward();
        Assert.Equal([6f, 12f, 18f], x.Grad!.ToArray());
    }

    [Fact]
    public void Two_losses_on_one_trunk_backpropagated_separately_fail_on_the_shared_part_as_in_torch()
    {
        var trunk = new Linear(3, 4);
        Tensor features = trunk.Forward(TestData.Tensor(1, 2, 3));
        Tensor first = features.Sum();
        Tensor second = (features * 2f).Mean();
        first.Backward();
        Assert.StartsWith("Trying to backward through the graph a second time", Assert.Throws<InvalidOperationException>(() => second.Backward()).Message);
    }

    [Fact]
    public void Gradients_accumulate_over_two_backward_passes_without_zero_grad()
    {
        var layer = new Linear(3, 2);
        Tensor a = TestData.Tensor(1, 4, 3), b = TestData.Tensor(2, 4, 3);
        var mse = new MSELoss();
        Tensor target = TestData.Tensor(3, 4, 2);

        mse.Forward(layer.Forward(a), target).Backward();
        float[] afterA = layer.Weight.Grad!.ToArray();
        mse.Forward(layer.Forward(b), target).Backward();
        float[] both = layer.Weight.Grad!.ToArray();

        layer.ZeroGrad();
        Assert.Null(layer.Weight.Grad);
        mse.Forward(layer.Forward(b), target).Backward();
        float[] afterB = layer.Weight.Grad!.ToArray();
        for (int i = 0; i < both.Length; i++)
        {
            Assert.Equal(afterA[i] + afterB[i], both[i], 6);
        }
    }

    [Fact]
    public void A_graph_recorded_before_the_root_and_never_reached_is_released()
    {
        var layer = new Linear(2, 2);
        Tensor abandoned = layer.Forward(TestData.Tensor(1, 1, 2)).Sum();
        layer.Forward(TestData.Tensor(2, 1, 2)).Sum().Backward();
        var error = Assert.Throws<InvalidOperationException>(() => abandoned.Backward());
        Assert.StartsWith("Trying to backward through a graph that was released", error.Message);
        Assert.Equal(0, GradMode.PendingNodes);
    }

    [Fact]
    public void Backward_with_a_gradient_checks_its_shape_as_torch_does()
    {
        var x = Tensor.FromValues([1f, 2f, 3f]);
        x.RequiresGrad = true;
        Tensor y = x * 3f;
        var error = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.FromValues([1f, 1f])));
        Assert.StartsWith("Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).", error.Message);
        Assert.Equal("grad can be implicitly created only for scalar outputs", Assert.Throws<InvalidOperationException>(() => y.Backward()).Message);
        y.Backward(Tensor.FromValues([1f, -1f, 0.5f]));
        Assert.Equal([3f, -3f, 1.5f], x.Grad!.ToArray());
    }

    [Fact]
    public void Grad_can_be_set_cleared_and_zeroed_and_results_refuse_to_stop_requiring_grad()
    {
        var p = Tensor.FromValues([1f, 2f]);
        p.RequiresGrad = true;
        Assert.Throws<ArgumentException>(() => p.Grad = Tensor.Zeros(3));
        p.Grad = Tensor.FromValues([5f, 5f]);
        (p * 2f).Sum().Backward();
        Assert.Equal([7f, 7f], p.Grad!.ToArray());
        p.ClearGrad();
        Assert.Null(p.Grad);
        (p * 2f).Sum().Backward();
        Assert.Equal([2f, 2f], p.Grad!.ToArray());
        p.ZeroGrad();
        Assert.Equal([0f, 0f], p.Grad!.ToArray());

        Tensor result = p * 2f;
        Assert.False(result.IsLeaf);
        Assert.True(result.RequiresGrad);
        Assert.StartsWith("you can only change requires_grad flags of leaf variables", Assert.Throws<InvalidOperationException>(() => result.RequiresGrad = false).Message);
        Assert.Null(result.Grad);
        Assert.Equal("element 0 of tensors does not require grad and does not have a grad_fn", Assert.Throws<InvalidOperationException>(() => Tensor.Scalar(1f).Backward()).Message);
    }

    [Fact]
    public void Results_of_recent_calls_stay_valid_and_each_call_has_its_own()
    {
        var encoder = new Sequential(new Linear(3, 4), new Sigmoid());
        Tensor x1 = TestData.Tensor(1, 2, 3), x2 = TestData.Tensor(2, 2, 3);
        using (GradMode.NoGrad())
        {
            Tensor e1 = encoder.Forward(x1);
            float[] e1Values = e1.ToArray();
            Tensor e2 = encoder.Forward(x2);
            Assert.NotSame(e1, e2);
            Assert.Equal(e1Values, e1.ToArray());
            Tensor distance = new MSELoss().Forward(e1, e2);
            Assert.Equal(e1Values, e1.ToArray());
            Assert.True(distance.Item() > 0);

            // The result of each of the last 8 top-level calls is kept.
            Tensor[] recent = new Tensor[GraphArena.KeptResults];
            float[][] values = new float[recent.Length][];
            for (int i = 0; i < recent.Length; i++)
            {
                recent[i] = encoder.Forward(TestData.Tensor(10 + i, 2, 3));
                values[i] = recent[i].ToArray();
            }

            for (int i = 0; i < recent.Length; i++)
            {
                Assert.Equal(values[i], recent[i].ToArray());
            }
        }
    }

    [Fact]
    public void A_module_with_a_skip_connection_keeps_every_intermediate_result_for_its_whole_call()
    {
        var model = new SkipNetwork();
        Tensor x = TestData.Tensor(4, 2, 5);
        float[] expected;
        using (GradMode.NoGrad())
        {
            expected = model.Reference(x);
            Assert.Equal(expected, model.Forward(x).ToArray());
        }

        Tensor output = model.Forward(x);
        Assert.Equal(expected, output.ToArray());
        output.Sum().Backward();
        Assert.NotNull(model.First.Weight.Grad);
    }

    [Fact]
    public void Train_and_eval_reach_every_child()
    {
        var model = Cifar10Cnn.Create();
        Assert.True(model.Training);
        Assert.Same(model, model.Eval());
        Assert.False(model.Training);
        Assert.All(model.Children(), child => Assert.False(child.Training));
        model.Train();
        Assert.All(model.Children(), child => Assert.True(child.Training));
        var mlp = new SeedMlp(new Generator(1));
        mlp.Eval();
        Assert.False(mlp.Activation.Training);
        Assert.Equal(["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "linear3.weight", "linear3.bias"], mlp.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void A_backward_pass_on_another_thread_is_refused()
    {
        var x = Tensor.FromValues([1f, 2f]);
        x.RequiresGrad = true;
        Tensor loss = (x * x).Sum();
        Exception? error = null;
        var thread = new Thread(() => error = Record.Exception(() => loss.Backward()));
        thread.Start();
        thread.Join();
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("recorded on another thread", error!.Message);
        loss.Backward();
        Assert.Equal([2f, 4f], x.Grad!.ToArray());
    }

    private static float[] Train(Module model, Tensor x, Tensor y, int epochs)
    {
        var optimizer = new SGD(model.Parameters(), lr: 0.1f);
        var criterion = new MSELoss();
        var losses = new float[epochs];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Tensor loss = criterion.Forward(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            losses[epoch] = loss.Item();
        }

        return losses;
    }

    private static void CopyParameters(Module from, Module to)
    {
        var source = from.Parameters();
        var target = to.Parameters();
        Assert.Equal(source.Count, target.Count);
        for (int i = 0; i < source.Count; i++)
        {
            if (!source[i].SameShape(target[i]))
            {
                // A shared scalar bias: the target layer takes the same kind of bias.
                ((Linear)((Sequential)to)[2 * (i / 2)]).SetBias(Tensor.Scalar(source[i].Item()));
                continue;
            }

            target[i].CopyFrom(source[i].Values);
        }
    }

    private static void AssertSameGradients(Module expected, Module actual, string what)
    {
        var a = expected.NamedParameters();
        var b = actual.NamedParameters();
        for (int i = 0; i < a.Count; i++)
        {
            Assert.True(a[i].Parameter.Grad!.Values.SequenceEqual(b[i].Parameter.Grad!.Values), $"{what}: {a[i].Name} gradients differ");
        }
    }

    /// <summary>y = W2 relu(W1 x) + x over ten top-level-looking calls inside one forward: none of them may reuse x's result.</summary>
    private sealed class SkipNetwork : Module
    {
        public SkipNetwork()
        {
            First = Register("first", new Linear(5, 5));
            Register("relu", _relu);
            Register("second", _second);
        }

        private readonly ReLU _relu = new();
        private readonly Linear _second = new(5, 5);

        public Linear First { get; }

        public float[] Reference(Tensor x)
        {
            Tensor h = First.Forward(x);
            float[] result = h.ToArray();
            float[] expected = new float[x.Length];
            Tensor a = _second.Forward(_relu.Forward(Tensor.FromValues(result, h.Shape.ToArray())));
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] = a.Values[i] + result[i];
            }

            return expected;
        }

        protected override Tensor ForwardCore(Tensor input)
        {
            Tensor h = First.Forward(input);
            Tensor a = h;
            for (int i = 0; i < 12; i++)
            {
                a = (a * 1f) + 0f;
            }

            return _second.Forward(_relu.Forward(a)) + h;
        }
    }
}
