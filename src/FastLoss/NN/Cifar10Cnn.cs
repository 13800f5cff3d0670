namespace FastLoss.NN;

/// <summary>
/// The CIFAR-10 network of the PyTorch tutorial FastLoss reproduces (its <c>Tudui</c> model): three 5x5
/// convolutions with padding 2, each followed by a 2x2 max pool, then two linear layers. No activations, as in
/// the tutorial. The state_dict names are Sequential's: "0.weight", "0.bias", ..., "8.bias".
/// </summary>
public static class Cifar10Cnn
{
    /// <summary>CIFAR-10's ten classes.</summary>
    public const int Classes = 10;

    /// <summary>Builds the network with torch's default initialisation, drawn from <paramref name="generator"/> (the default generator when null).</summary>
    public static Sequential Create(Generator? generator = null) => new(
        new Conv2d(3, 32, 5, padding: 2, generator: generator),
        new MaxPool2d(2),
        new Conv2d(32, 32, 5, padding: 2, generator: generator),
        new MaxPool2d(2),
        new Conv2d(32, 64, 5, padding: 2, generator: generator),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(1024, 64, generator: generator),
        new Linear(64, Classes, generator: generator));
}
