using FastLoss.Data;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Serialization;
using FastLoss.Tests.Shared;

namespace FastLoss.OnnxTests.Support;

/// <summary>
/// The seed CNN after a short training run on real CIFAR-10 images (40 SGD steps of 64, about a second), so its
/// logits have a trained network's spread and its classes are ranked by clear margins, exported once and loaded
/// in ONNX Runtime for the tests of <see cref="TrainedSeedCnnGroup"/>.
/// </summary>
public sealed class TrainedSeedCnn : IDisposable
{
    public const int Seed = 1;
    private const int Steps = 40;

    private readonly TempFolder _folder = new();

    public TrainedSeedCnn()
    {
        Model = Cifar10Cnn.Create(new Generator(Seed));
        var optimizer = new SGD(Model.Parameters(), lr: 0.01f, momentum: 0.9f);
        var criterion = new CrossEntropyLoss();
        var loader = new DataLoader(CifarImages.TrainSet, 64, shuffle: true, seed: Seed, dropLast: true, transform: new ToTensor());
        for (int step = 0; step < Steps && loader.TryNext(out Tensor? images, out IndexTensor? labels); step++)
        {
            Tensor loss = criterion.Forward(Model.Forward(images), labels);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }

        Model.Eval();
        OnnxPath = _folder.Combine("seed-cnn.onnx");
        Onnx.Export(Model, OnnxPath, [1, 3, 32, 32]);
        Runtime = new OnnxRuntimeModel(OnnxPath);
    }

    public Sequential Model { get; }

    public string OnnxPath { get; }

    internal OnnxRuntimeModel Runtime { get; }

    /// <summary>A new scratch folder for a test's own files, removed with the fixture.</summary>
    public string NewFolder()
    {
        string folder = _folder.Combine(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public void Dispose()
    {
        Runtime.Dispose();
        _folder.Dispose();
    }
}

/// <summary>The tests that share one <see cref="TrainedSeedCnn"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TrainedSeedCnnGroup : ICollectionFixture<TrainedSeedCnn>
{
    public const string Name = "trained seed CNN";
}
