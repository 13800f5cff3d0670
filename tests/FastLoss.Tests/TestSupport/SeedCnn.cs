using FastLoss.NN;

namespace FastLoss.Tests.TestSupport;

/// <summary>The first seed's CIFAR-10 network (torch's Tudui model).</summary>
internal static class SeedCnn
{
    public static Sequential Create(Generator? generator = null) => new(
        new Conv2d(3, 32, 5, padding: 2, generator: generator), new MaxPool2d(2),
        new Conv2d(32, 32, 5, padding: 2, generator: generator), new MaxPool2d(2),
        new Conv2d(32, 64, 5, padding: 2, generator: generator), new MaxPool2d(2),
        new Flatten(), new Linear(1024, 64, generator: generator), new Linear(64, 10, generator: generator));
}
