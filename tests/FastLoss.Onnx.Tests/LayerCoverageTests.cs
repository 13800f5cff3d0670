using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.OnnxTests.Support;
using FastLoss.Serialization;
using FastLoss.Tests.Shared;

namespace FastLoss.OnnxTests;

/// <summary>
/// Every exportable layer, in the forms FastLoss's modules take, run by ONNX Runtime on real CIFAR-10 images:
/// convolutions with stride, padding, a 1x1 kernel and no bias, an overlapping pool, a nested Sequential, Flatten
/// both as ONNX Flatten and as a Reshape, Softmax over an inner dimension, ReLU, Sigmoid and Tanh, Linear without a
/// bias and with one bias value shared by all units, Softmax and LogSoftmax over the classes.
/// </summary>
public sealed class LayerCoverageTests
{
    private static Sequential EveryLayer(Generator generator) => new(
        new Conv2d(3, 8, 3, stride: 2, padding: 1, bias: false, generator: generator), // (N, 8, 16, 16)
        new ReLU(),
        new MaxPool2d(3, stride: 2), // (N, 8, 7, 7): windows overlap
        new Sequential(new Conv2d(8, 4, 1, generator: generator), new Tanh()), // (N, 4, 7, 7)
        new Flatten(2), // (N, 4, 49): a Reshape in ONNX
        new Softmax(-1),
        new Flatten(), // (N, 196)
        new Linear(196, 32, generator: generator),
        new Sigmoid(),
        new Linear(32, 10, bias: false, generator: generator),
        new LogSoftmax(1));

    private static Sequential Mlp(Generator generator)
    {
        var output = new Linear(64, 10, generator: generator);
        output.SetScalarBias(0.25f);
        return new Sequential(new Flatten(), new Linear(3 * 32 * 32, 64, generator: generator), new Tanh(), output, new Softmax(1));
    }

    public static TheoryData<string> Networks => ["every layer", "MLP"];

    private static Sequential Create(string network, Generator generator) => network == "MLP" ? Mlp(generator) : EveryLayer(generator);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Output_matches_ONNX_Runtime_at_batch_1_and_7(string network)
    {
        Sequential model = Create(network, new Generator(7));
        using var folder = new TempFolder();
        string path = folder.Combine("model.onnx");
        Onnx.Export(model, path, [1, 3, 32, 32]);
        using var runtime = new OnnxRuntimeModel(path);
        foreach (int batch in new[] { 1, 7 })
        {
            Tensor images = CifarImages.FirstTestImages(batch);
            Tensor expected;
            using (GradMode.NoGrad())
            {
                expected = model.Forward(images).Clone();
            }

            LogitAgreement.AssertAgree(expected, runtime.Run(images));
        }
    }

    [Fact]
    public void Every_layer_becomes_its_ONNX_operator()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("model.onnx");
        Onnx.Export(EveryLayer(new Generator(7)), path, [1, 3, 32, 32]);
        OnnxFile file = OnnxFile.Read(path);
        Assert.Equal(
            [("0", "Conv"), ("1", "Relu"), ("2", "MaxPool"), ("3.0", "Conv"), ("3.1", "Tanh"), ("4", "Reshape"), ("5", "Softmax"),
             ("6", "Flatten"), ("7", "Gemm"), ("8", "Sigmoid"), ("9", "Gemm"), ("10", "LogSoftmax")],
            file.Nodes.Select(n => (n.Name, n.OpType)));
        Assert.Equal(["input", "0.weight"], file.Nodes[0].Inputs); // no bias
        Assert.Equal([2L, 2L], file.Nodes[0].Attributes["strides"]);
        Assert.Equal([1L, 1L, 1L, 1L], file.Nodes[0].Attributes["pads"]);
        Assert.Equal(["2.output", "3.0.weight", "3.0.bias"], file.Nodes[3].Inputs); // inside the nested Sequential
        Assert.Equal([2L], file.Nodes[6].Attributes["axis"]); // Softmax(-1) of a rank-3 value
        Assert.Equal([1L], file.Nodes[11].Attributes["axis"]);
        Assert.Equal(["8.output", "9.weight"], file.Nodes[10].Inputs);

        // Flatten(2) of (N, 4, 7, 7): keep N and 4 (0 copies a dimension), merge the rest (-1).
        OnnxInitializer shape = Assert.Single(file.Initializers, i => i.Name == "4.shape");
        Assert.Equal(7, shape.DataType); // INT64
        Assert.Equal([0L, 0L, -1L], Enumerable.Range(0, 3).Select(i => BitConverter.ToInt64(shape.RawData, i * 8)));
    }
}
