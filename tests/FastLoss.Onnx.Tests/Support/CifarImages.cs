using FastLoss.Data;
using FastLoss.Tests.Shared;

namespace FastLoss.OnnxTests.Support;

/// <summary>Real CIFAR-10 images as the CLI feeds them to the network (ToTensor: pixels / 255).</summary>
internal static class CifarImages
{
    private static readonly Lazy<Cifar10> s_test = new(() => new Cifar10(Cifar10Location.Root, train: false));
    private static readonly Lazy<Cifar10> s_train = new(() => new Cifar10(Cifar10Location.Root, train: true));

    public static Cifar10 TestSet => s_test.Value;

    public static Cifar10 TrainSet => s_train.Value;

    /// <summary>The first <paramref name="count"/> test images, (count, 3, 32, 32).</summary>
    public static Tensor FirstTestImages(int count)
    {
        var loader = new DataLoader(TestSet, count, transform: new ToTensor());
        Assert.True(loader.TryNext(out Tensor? images, out _), "the test set gave no batch");
        return images!.Clone();
    }
}
