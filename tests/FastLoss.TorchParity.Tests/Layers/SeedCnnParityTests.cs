using FastLoss.Autograd;
using FastLoss.NN;
using TorchSharp;
using static FastLoss.TorchParity.Tests.TorchConvert;
using static TorchSharp.torch.nn;

namespace FastLoss.TorchParity.Tests.Layers;

/// <summary>
/// The first seed's CNN end to end: the same weights in FastLoss and in a TorchSharp nn.Sequential, one batch
/// of 4 images through forward, CrossEntropyLoss, backward and three SGD steps with momentum. Outputs, every parameter gradient and
/// the updated parameters agree to 1e-4 relative + 1e-5 absolute (nine layers of float32 sums in different orders).
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class SeedCnnParityTests
{
    [Fact]
    public void Forward_gradients_and_sgd_steps_match_torch()
    {
        GradMode.ReleaseThreadResults();
        var model = Cifar10Cnn.Create(new Generator(1));
        var torchModel = Sequential(
            Conv2d(3, 32, 5, padding: 2), MaxPool2d(2),
            Conv2d(32, 32, 5, padding: 2), MaxPool2d(2),
            Conv2d(32, 64, 5, padding: 2), MaxPool2d(2),
            Flatten(), Linear(1024, 64), Linear(64, 10));
        var named = model.NamedParameters();
        var torchNamed = torchModel.named_parameters().ToArray();
        Assert.Equal(named.Select(p => p.Name).ToArray(), torchNamed.Select(p => p.name).ToArray());
        using (torch.no_grad())
        {
            for (int i = 0; i < named.Count; i++)
            {
                torchNamed[i].parameter.copy_(ToTorch(named[i].Parameter));
            }
        }

        var optimizer = new FastLoss.Optim.SGD(model.Parameters(), lr: 0.01f, momentum: 0.9f);
        var torchOptimizer = torch.optim.SGD(torchModel.parameters(), 0.01, momentum: 0.9);
        var loss = new CrossEntropyLoss();
        Tensor images = LayerParityTests.Uniform(new Generator(10), 4, 3, 32, 32);
        long[] labels = [3, 0, 9, 3];
        IndexTensor targets = IndexTensor.FromValues(labels, 4);
        using var scope = torch.NewDisposeScope();
        torch.Tensor torchImages = ToTorch(images), torchTargets = torch.tensor(labels, torch.int64);
        for (int step = 0; step < 3; step++)
        {
            Tensor outputs = model.Forward(images);
            Tensor value = loss.Forward(outputs, targets);
            optimizer.ZeroGrad();
            value.Backward();

            torchOptimizer.zero_grad();
            torch.Tensor torchOutputs = torchModel.forward(torchImages);
            torch.Tensor torchLoss = torch.nn.functional.cross_entropy(torchOutputs, torchTargets);
            torchLoss.backward();

            Closeness.AssertClose(ToArray(torchOutputs), outputs.Span, 1e-4, 1e-5, $"step {step}: outputs");
            Closeness.AssertClose(torchLoss.item<float>(), value.Item(), 1e-4, 1e-6, $"step {step}: loss");
            for (int i = 0; i < named.Count; i++)
            {
                Closeness.AssertClose(
                    ToArray(torchNamed[i].parameter.grad!), named[i].Parameter.Grad!.Span, 1e-4, 1e-5, $"step {step}: {named[i].Name} gradient");
            }

            optimizer.Step();
            torchOptimizer.step();
            for (int i = 0; i < named.Count; i++)
            {
                Closeness.AssertClose(ToArray(torchNamed[i].parameter), named[i].Parameter.Span, 1e-4, 1e-5, $"step {step}: {named[i].Name} after the step");
            }
        }

        torchModel.Dispose();
    }
}
