using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Threading;
using TorchSharp;
using static TorchSharp.torch.nn;

namespace FastLoss.Benchmarks;

/// <summary>
/// The first seed's CIFAR-10 CNN built twice, in FastLoss and in TorchSharp, with its loss, SGD(lr = 0.01) and one
/// batch of random 32x32 images and labels shared by both; both run on the same number of threads.
/// </summary>
public sealed class SeedCnnPair : IDisposable
{
    public SeedCnnPair(int batch, int threads)
    {
        torch.set_num_threads(threads);
        ComputePool.SetThreadCount(threads);
        var generator = new Generator(1);
        Model = Cifar10Cnn.Create(generator);
        Optimizer = new SGD(Model.Parameters(), lr: 0.01f);
        Loss = new CrossEntropyLoss();
        Images = Init.Uniform(Tensor.Zeros(batch, 3, 32, 32), 0, 1, generator);
        var labels = new long[batch];
        for (int i = 0; i < batch; i++)
        {
            labels[i] = generator.NextInt(10);
        }

        Labels = IndexTensor.FromValues(labels, batch);

        TorchModel = Sequential(
            Conv2d(3, 32, 5, padding: 2), MaxPool2d(2),
            Conv2d(32, 32, 5, padding: 2), MaxPool2d(2),
            Conv2d(32, 64, 5, padding: 2), MaxPool2d(2),
            Flatten(), Linear(1024, 64), Linear(64, 10));
        TorchOptimizer = torch.optim.SGD(TorchModel.parameters(), 0.01);
        TorchImages = torch.tensor(Images.ToArray(), [batch, 3, 32, 32]);
        TorchTargets = torch.tensor(labels, torch.int64);
    }

    public Sequential Model { get; }

    public SGD Optimizer { get; }

    public CrossEntropyLoss Loss { get; }

    public Tensor Images { get; }

    public IndexTensor Labels { get; }

    public Module<torch.Tensor, torch.Tensor> TorchModel { get; }

    public torch.optim.Optimizer TorchOptimizer { get; }

    public torch.Tensor TorchImages { get; }

    public torch.Tensor TorchTargets { get; }

    public void Dispose()
    {
        TorchImages.Dispose();
        TorchTargets.Dispose();
        TorchModel.Dispose();
    }
}
