using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.OnnxTests.Support;
using FastLoss.Serialization;
using FastLoss.Tests.Shared;
using Microsoft.ML.OnnxRuntime;

namespace FastLoss.OnnxTests;

/// <summary>
/// The seed CNN exported and run by ONNX Runtime on real CIFAR-10 test images gives FastLoss's logits within
/// float32 rounding and the same class for every image, at batch 1 and at other batch sizes of the one dynamic
/// graph; the file holds what the ONNX specification asks for, read back independently of the writer.
/// </summary>
[Collection(TrainedSeedCnnGroup.Name)]
public sealed class SeedCnnExportTests(TrainedSeedCnn trained)
{
    private static Tensor Logits(Module model, Tensor images)
    {
        using (GradMode.NoGrad())
        {
            return model.Forward(images).Clone();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Trained_seed_CNN_gives_FastLoss_logits_in_ONNX_Runtime(int batch)
    {
        Tensor images = CifarImages.FirstTestImages(batch);
        LogitAgreement.AssertAgree(Logits(trained.Model, images), trained.Runtime.Run(images));
    }

    [Fact]
    public void Untrained_seed_CNN_gives_FastLoss_logits_in_ONNX_Runtime()
    {
        Sequential model = Cifar10Cnn.Create(new Generator(TrainedSeedCnn.Seed));
        string path = Path.Combine(trained.NewFolder(), "untrained.onnx");
        Onnx.Export(model, path, [64, 3, 32, 32]);
        using var runtime = new OnnxRuntimeModel(path);
        foreach (int batch in new[] { 1, 64 })
        {
            Tensor images = CifarImages.FirstTestImages(batch);
            LogitAgreement.AssertAgree(Logits(model, images), runtime.Run(images));
        }
    }

    [Fact]
    public void ONNX_Runtime_sees_a_float_input_and_output_with_a_dynamic_batch_dimension()
    {
        NodeMetadata input = trained.Runtime.Session.InputMetadata[Onnx.InputName];
        Assert.Equal(typeof(float), input.ElementType);
        Assert.Equal([-1, 3, 32, 32], input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        NodeMetadata output = Assert.Single(trained.Runtime.Session.OutputMetadata, pair => pair.Key == Onnx.OutputName).Value;
        Assert.Equal([-1, 10], output.Dimensions);
        Assert.Equal("batch", output.SymbolicDimensions[0]);
        Assert.Equal("FastLoss", trained.Runtime.Session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void File_declares_IR_8_opset_17_and_holds_the_state_dict_as_initializers()
    {
        OnnxFile file = OnnxFile.Read(trained.OnnxPath);
        Assert.Equal(8, file.IrVersion);
        Assert.Equal([("", 17L)], file.Opsets);
        Assert.Equal("FastLoss", file.ProducerName);

        OnnxValueInfo input = Assert.Single(file.Inputs);
        Assert.Equal(("input", 1L), (input.Name, input.ElementType)); // 1: FLOAT
        Assert.Equal(["batch", "3", "32", "32"], input.Dims);
        OnnxValueInfo output = Assert.Single(file.Outputs);
        Assert.Equal(("output", 1L), (output.Name, output.ElementType));
        Assert.Equal(["batch", "10"], output.Dims);

        // Every parameter under its state_dict key, float32, its shape, its values as little-endian bytes.
        var state = trained.Model.NamedParameters();
        Assert.Equal(state.Select(p => p.Name), file.Initializers.Select(i => i.Name));
        foreach (((string name, Tensor parameter), OnnxInitializer initializer) in state.Zip(file.Initializers))
        {
            Assert.Equal(1, initializer.DataType);
            Assert.Equal(parameter.Shape.ToArray().Select(size => (long)size), initializer.Dims);
            float[] stored = new float[parameter.Length];
            for (int i = 0; i < stored.Length; i++)
            {
                stored[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(initializer.RawData.AsSpan(i * 4));
            }

            Assert.Equal(parameter.Length * 4, initializer.RawData.Length);
            Assert.True(parameter.Values.SequenceEqual(stored), $"{name}: the stored values differ from the parameter's");
        }
    }

    [Fact]
    public void Nodes_follow_the_module_paths_and_chain_from_input_to_output()
    {
        OnnxFile file = OnnxFile.Read(trained.OnnxPath);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8"], file.Nodes.Select(n => n.Name));
        Assert.Equal(["Conv", "MaxPool", "Conv", "MaxPool", "Conv", "MaxPool", "Flatten", "Gemm", "Gemm"], file.Nodes.Select(n => n.OpType));
        string previous = "input";
        foreach (OnnxNode node in file.Nodes)
        {
            Assert.Equal(previous, node.Inputs[0]);
            previous = Assert.Single(node.Outputs);
        }

        Assert.Equal("output", previous);
        Assert.Equal(["0.weight", "0.bias"], file.Nodes[0].Inputs.Skip(1));
        Assert.Equal(["7.weight", "7.bias"], file.Nodes[7].Inputs.Skip(1));

        // The tutorial's 5x5 convolutions with padding 2 and its 2x2 pools, as FastLoss's modules hold them.
        var conv = (Conv2d)trained.Model[0];
        Dictionary<string, long[]> convAttributes = file.Nodes[0].Attributes;
        Assert.Equal([conv.KernelSize, conv.KernelSize], convAttributes["kernel_shape"]);
        Assert.Equal([conv.Padding, conv.Padding, conv.Padding, conv.Padding], convAttributes["pads"]);
        Assert.Equal([conv.Stride, conv.Stride], convAttributes["strides"]);
        Assert.Equal([1L], convAttributes["group"]);
        var pool = (MaxPool2d)trained.Model[1];
        Assert.Equal([pool.KernelSize, pool.KernelSize], file.Nodes[1].Attributes["kernel_shape"]);
        Assert.Equal([pool.Stride, pool.Stride], file.Nodes[1].Attributes["strides"]);
        Assert.Equal([1L], file.Nodes[7].Attributes["transB"]);
    }
}
