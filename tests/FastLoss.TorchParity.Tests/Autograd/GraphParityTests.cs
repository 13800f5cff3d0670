using FastLoss.Autograd;
using FastLoss.NN;
using TorchSharp;
using static FastLoss.TorchParity.Tests.TorchConvert;

namespace FastLoss.TorchParity.Tests.Autograd;

/// <summary>
/// Programs that depend on torch's graph semantics, run in FastLoss and in libtorch with the same weights and data:
/// a module applied twice, the second seed's demo1 with its one Sigmoid over 50 epochs, a forward pass that is not
/// backpropagated, a siamese loss, two losses from one trunk added, gradients accumulated over two backward passes,
/// Backward(gradient) on a non-scalar output. Tolerance 1e-5 relative + 1e-6 absolute (1e-4 over 50 epochs).
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class GraphParityTests
{
    public GraphParityTests() => GradMode.ReleaseThreadResults();

    [Fact]
    public void A_linear_applied_twice_matches_torch()
    {
        var layer = new Linear(4, 4, generator: new Generator(1));
        Tensor x = Uniform(2, 3, 4);
        x.RequiresGrad = true;
        Tensor y = layer.Forward(new Sigmoid().Forward(layer.Forward(x)));
        y.Sum().Backward();

        using var scope = torch.NewDisposeScope();
        var (tw, tb, tx) = (ToTorch(layer.Weight, true), ToTorch(layer.Bias!, true), ToTorch(x, true));
        torch.Tensor ty = torch.nn.functional.linear(torch.sigmoid(torch.nn.functional.linear(tx, tw, tb)), tw, tb);
        ty.sum().backward();

        Closeness.AssertClose(ToArray(ty), y.Values, 1e-5, 1e-6, "output");
        Closeness.AssertClose(ToArray(tw.grad!), layer.Weight.Grad!.Values, 1e-5, 1e-6, "weight gradient");
        Closeness.AssertClose(ToArray(tb.grad!), layer.Bias!.Grad!.Values, 1e-5, 1e-6, "bias gradient");
        Closeness.AssertClose(ToArray(tx.grad!), x.Grad!.Values, 1e-5, 1e-6, "input gradient");
    }

    [Fact]
    public void The_second_seeds_demo1_with_one_sigmoid_matches_torch_over_50_epochs()
    {
        var model = new Demo1();
        Tensor x = Uniform(3, 100, 4), y = Uniform(4, 100, 1);
        var optimizer = new FastLoss.Optim.SGD(model.Parameters(), lr: 0.1f);
        var criterion = new MSELoss();

        using var scope = torch.NewDisposeScope();
        torch.Tensor[] tp = model.Parameters().Select(p => ToTorch(p, true)).ToArray();
        var torchOptimizer = torch.optim.SGD(tp.Select(p => new TorchSharp.Modules.Parameter(p)).ToArray(), 0.1);
        var parameters = torchOptimizer.parameters().ToArray();
        torch.Tensor tx = ToTorch(x), ty = ToTorch(y);
        for (int epoch = 0; epoch < 50; epoch++)
        {
            Tensor loss = criterion.Forward(model.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();

            // torch's forward as demo1 writes it: one sigmoid after each layer; a 0-dim bias broadcast.
            torch.Tensor h = tx;
            for (int layer = 0; layer < 3; layer++)
            {
                h = torch.sigmoid(torch.nn.functional.linear(h, parameters[2 * layer], null) + parameters[(2 * layer) + 1]);
            }

            torch.Tensor torchLoss = torch.nn.functional.mse_loss(h, ty);
            torchOptimizer.zero_grad();
            torchLoss.backward();
            torchOptimizer.step();
            Closeness.AssertClose(torchLoss.item<float>(), loss.Item(), 1e-4, 1e-6, $"epoch {epoch}: loss");
        }

        var mine = model.Parameters();
        for (int i = 0; i < mine.Count; i++)
        {
            Closeness.AssertClose(ToArray(parameters[i]), mine[i].Values, 1e-4, 1e-5, $"parameter {i} after 50 epochs");
        }
    }

    [Fact]
    public void Two_forwards_with_only_the_second_backpropagated_match_torch()
    {
        var model = new Sequential(new Linear(5, 6, generator: new Generator(5)), new ReLU(), new Linear(6, 3, generator: new Generator(6)));
        Tensor first = Uniform(7, 4, 5), second = Uniform(8, 4, 5);
        _ = new MSELoss().Forward(model.Forward(first), Tensor.Zeros(4, 3)).Item();
        model.Forward(second).Sum().Backward();

        using var scope = torch.NewDisposeScope();
        var p = model.Parameters().Select(t => ToTorch(t, true)).ToArray();
        torch.Tensor Forward(torch.Tensor input) =>
            torch.nn.functional.linear(torch.nn.functional.relu(torch.nn.functional.linear(input, p[0], p[1])), p[2], p[3]);
        _ = torch.nn.functional.mse_loss(Forward(ToTorch(first)), torch.zeros(4, 3)).item<float>();
        Forward(ToTorch(second)).sum().backward();
        AssertGradients(p, model);
    }

    [Fact]
    public void A_siamese_loss_matches_torch()
    {
        // MSE(f(x1), f(x2)) + 0.1 * f(x1).Sum(): one network, two inputs, one graph.
        var f = new Sequential(new Linear(3, 5, generator: new Generator(9)), new Tanh(), new Linear(5, 2, generator: new Generator(10)));
        Tensor x1 = Uniform(11, 6, 3), x2 = Uniform(12, 6, 3);
        Tensor loss = new MSELoss().Forward(f.Forward(x1), f.Forward(x2)) + (0.1f * f.Forward(x1).Sum());
        loss.Backward();

        using var scope = torch.NewDisposeScope();
        var p = f.Parameters().Select(t => ToTorch(t, true)).ToArray();
        torch.Tensor F(torch.Tensor input) =>
            torch.nn.functional.linear(torch.tanh(torch.nn.functional.linear(input, p[0], p[1])), p[2], p[3]);
        torch.Tensor torchLoss = torch.nn.functional.mse_loss(F(ToTorch(x1)), F(ToTorch(x2))) + (0.1f * F(ToTorch(x1)).sum());
        torchLoss.backward();
        Closeness.AssertClose(torchLoss.item<float>(), loss.Item(), 1e-5, 1e-6, "loss");
        AssertGradients(p, f);
    }

    [Fact]
    public void Two_losses_from_one_trunk_added_match_torch()
    {
        var trunk = new Linear(4, 8, generator: new Generator(13));
        var classes = new Linear(8, 3, generator: new Generator(14));
        var values = new Linear(8, 2, generator: new Generator(15));
        Tensor x = Uniform(16, 5, 4), target = Uniform(17, 5, 2);
        long[] labels = [2, 0, 1, 1, 2];
        Tensor features = new ReLU().Forward(trunk.Forward(x));
        Tensor loss = new CrossEntropyLoss().Forward(classes.Forward(features), IndexTensor.FromValues(labels)) + (0.1f * new MSELoss().Forward(values.Forward(features), target));
        loss.Backward();

        using var scope = torch.NewDisposeScope();
        var (w, b) = (ToTorch(trunk.Weight, true), ToTorch(trunk.Bias!, true));
        var (cw, cb) = (ToTorch(classes.Weight, true), ToTorch(classes.Bias!, true));
        var (vw, vb) = (ToTorch(values.Weight, true), ToTorch(values.Bias!, true));
        torch.Tensor tf = torch.nn.functional.relu(torch.nn.functional.linear(ToTorch(x), w, b));
        torch.Tensor torchLoss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(tf, cw, cb), torch.tensor(labels))
            + (0.1f * torch.nn.functional.mse_loss(torch.nn.functional.linear(tf, vw, vb), ToTorch(target)));
        torchLoss.backward();
        Closeness.AssertClose(torchLoss.item<float>(), loss.Item(), 1e-5, 1e-6, "loss");
        Closeness.AssertClose(ToArray(w.grad!), trunk.Weight.Grad!.Values, 1e-5, 1e-6, "trunk weight gradient");
        Closeness.AssertClose(ToArray(cw.grad!), classes.Weight.Grad!.Values, 1e-5, 1e-6, "class head gradient");
        Closeness.AssertClose(ToArray(vw.grad!), values.Weight.Grad!.Values, 1e-5, 1e-6, "value head gradient");
    }

    [Fact]
    public void Gradients_accumulated_over_two_backward_passes_match_torch()
    {
        var model = new Sequential(new Linear(3, 4, generator: new Generator(18)), new Sigmoid(), new Linear(4, 1, generator: new Generator(19)));
        Tensor a = Uniform(20, 8, 3), b = Uniform(21, 8, 3), y = Uniform(22, 8, 1);
        var mse = new MSELoss();
        mse.Forward(model.Forward(a), y).Backward();
        mse.Forward(model.Forward(b), y).Backward();

        using var scope = torch.NewDisposeScope();
        var p = model.Parameters().Select(t => ToTorch(t, true)).ToArray();
        torch.Tensor F(torch.Tensor input) =>
            torch.nn.functional.linear(torch.sigmoid(torch.nn.functional.linear(input, p[0], p[1])), p[2], p[3]);
        torch.nn.functional.mse_loss(F(ToTorch(a)), ToTorch(y)).backward();
        torch.nn.functional.mse_loss(F(ToTorch(b)), ToTorch(y)).backward();
        AssertGradients(p, model);
    }

    [Fact]
    public void Backward_with_a_gradient_on_a_non_scalar_output_matches_torch()
    {
        var layer = new Linear(3, 2, generator: new Generator(23));
        Tensor x = Uniform(24, 4, 3);
        x.RequiresGrad = true;
        Tensor y = new Sigmoid().Forward(layer.Forward(x)) * 3f;
        Tensor upstream = Uniform(25, 4, 2);
        y.Backward(upstream);

        using var scope = torch.NewDisposeScope();
        var (tw, tb, tx) = (ToTorch(layer.Weight, true), ToTorch(layer.Bias!, true), ToTorch(x, true));
        torch.Tensor ty = torch.sigmoid(torch.nn.functional.linear(tx, tw, tb)) * 3f;
        ty.backward([ToTorch(upstream)]);
        Closeness.AssertClose(ToArray(tx.grad!), x.Grad!.Values, 1e-5, 1e-6, "input gradient");
        Closeness.AssertClose(ToArray(tw.grad!), layer.Weight.Grad!.Values, 1e-5, 1e-6, "weight gradient");
    }

    [Fact]
    public void The_seed_cnn_step_after_a_discarded_forward_matches_torch()
    {
        var model = Cifar10Cnn.Create(new Generator(26));
        Tensor images = Uniform(27, 2, 3, 32, 32);
        long[] labels = [4, 7];
        _ = model.Forward(Uniform(28, 2, 3, 32, 32));
        new CrossEntropyLoss().Forward(model.Forward(images), IndexTensor.FromValues(labels)).Backward();

        using var scope = torch.NewDisposeScope();
        var torchModel = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 5, padding: 2), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 32, 5, padding: 2), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 5, padding: 2), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(1024, 64), torch.nn.Linear(64, 10));
        var torchParameters = torchModel.parameters().ToArray();
        var mine = model.Parameters();
        using (torch.no_grad())
        {
            for (int i = 0; i < mine.Count; i++)
            {
                torchParameters[i].copy_(ToTorch(mine[i]));
            }
        }

        _ = torchModel.forward(ToTorch(Uniform(28, 2, 3, 32, 32)));
        torch.nn.functional.cross_entropy(torchModel.forward(ToTorch(images)), torch.tensor(labels)).backward();
        for (int i = 0; i < mine.Count; i++)
        {
            Closeness.AssertClose(ToArray(torchParameters[i].grad!), mine[i].Grad!.Values, 1e-4, 1e-5, $"parameter {i} gradient");
        }

        torchModel.Dispose();
    }

    private static void AssertGradients(torch.Tensor[] torchParameters, Module model)
    {
        var mine = model.Parameters();
        for (int i = 0; i < mine.Count; i++)
        {
            Closeness.AssertClose(ToArray(torchParameters[i].grad!), mine[i].Grad!.Values, 1e-5, 1e-6, $"parameter {i} gradient");
        }
    }

    private static Tensor Uniform(int seed, params int[] shape) => Layers.LayerParityTests.Uniform(new Generator(seed), shape);

    /// <summary>demo1 as the seed writes it: self.activation, one Sigmoid, after each of three Linear layers; biases are one 0-dim 5.5.</summary>
    private sealed class Demo1 : Module
    {
        private readonly Linear _linear1, _linear2, _linear3;
        private readonly Sigmoid _activation;

        public Demo1()
        {
            var generator = new Generator(666);
            _linear1 = Register("linear1", new Linear(4, 3));
            _linear2 = Register("linear2", new Linear(3, 2));
            _linear3 = Register("linear3", new Linear(2, 1));
            _activation = Register("activation", new Sigmoid());
            foreach (Linear layer in (Linear[])[_linear1, _linear2, _linear3])
            {
                Init.XavierNormal(layer.Weight, generator: generator);
                layer.SetScalarBias(5.5f);
            }
        }

        protected override Tensor ForwardCore(Tensor input)
        {
            Tensor x = _linear1.Forward(input);
            x = _activation.Forward(x);
            x = _linear2.Forward(x);
            x = _activation.Forward(x);
            x = _linear3.Forward(x);
            return _activation.Forward(x);
        }
    }
}
