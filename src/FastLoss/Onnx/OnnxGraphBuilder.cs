using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Serialization.OnnxProto;

namespace FastLoss.Serialization;

/// <summary>
/// Builds the ONNX model of a <see cref="Sequential"/> network for <see cref="Onnx.Export"/>: the layers in order
/// (nested containers walked through, their paths kept), each run once on the previous layer's output so its input
/// and output shapes are known, and each turned into one ONNX node with its weights as initializers.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private const string ProducerName = "FastLoss";

    private readonly List<NodeProto> _nodes = [];
    private readonly List<TensorProto> _initializers = [];

    private OnnxGraphBuilder()
    {
    }

    /// <summary>A layer of the network and its path ("3", or "2.1" for module 1 of the Sequential at 2).</summary>
    private readonly record struct Layer(string Path, Module Module);

    public static ModelProto Build(Sequential model, ReadOnlySpan<int> inputShape)
    {
        if (inputShape.IsEmpty)
        {
            throw new ArgumentException("ONNX export: the input shape is empty; give the shape of one batch, batch size first, e.g. [1, 3, 32, 32].", nameof(inputShape));
        }

        foreach (int size in inputShape)
        {
            if (size <= 0)
            {
                throw new ArgumentException($"ONNX export: every size of the input shape must be 1 or more, got {TensorShape.FormatList(inputShape)}.", nameof(inputShape));
            }
        }

        var layers = new List<Layer>();
        CollectLayers(model, string.Empty, layers);
        if (layers.Count == 0)
        {
            throw new ArgumentException("ONNX export: the Sequential holds no modules, so there is nothing to compute.", nameof(model));
        }

        var builder = new OnnxGraphBuilder();
        Tensor x = Tensor.Zeros(inputShape.ToArray());
        string value = Onnx.InputName;
        using (GradMode.NoGrad())
        {
            for (int i = 0; i < layers.Count; i++)
            {
                Layer layer = layers[i];
                Tensor output = Trace(layer, x);
                string outputName = i == layers.Count - 1 ? Onnx.OutputName : $"{layer.Path}.output";
                builder.Add(layer, x.Shape, output.Shape, value, outputName);
                x = output;
                value = outputName;
            }
        }

        var graph = new GraphProto(
            nameof(Sequential), builder._nodes, builder._initializers,
            [new ValueInfoProto(Onnx.InputName, new TypeProto(TensorElementType.Float, new TensorShapeProto(inputShape, Onnx.BatchDimension)))],
            [new ValueInfoProto(Onnx.OutputName, new TypeProto(TensorElementType.Float, new TensorShapeProto(x.Shape, Onnx.BatchDimension)))]);
        string version = typeof(Onnx).Assembly.GetName().Version?.ToString() ?? string.Empty;
        return new ModelProto(Onnx.IrVersion, [new OperatorSetIdProto(string.Empty, Onnx.OpsetVersion)], ProducerName, version, graph);
    }

    /// <summary>The layers in the order they run, nested Sequentials opened; a module without an ONNX form is refused here, before anything runs.</summary>
    private static void CollectLayers(Sequential container, string prefix, List<Layer> layers)
    {
        for (int i = 0; i < container.Count; i++)
        {
            Module module = container[i];
            string path = $"{prefix}{i}";
            switch (module)
            {
                case Sequential nested:
                    CollectLayers(nested, path + ".", layers);
                    break;
                case Conv2d or MaxPool2d or Flatten or Linear or ReLU or Sigmoid or Tanh or Softmax or LogSoftmax:
                    layers.Add(new Layer(path, module));
                    break;
                default:
                    throw new NotSupportedException(
                        $"ONNX export: Sequential module {path} ({module.GetType().Name}) has no ONNX form; exported are Conv2d, MaxPool2d, Flatten, Linear, ReLU, Sigmoid, Tanh, Softmax, LogSoftmax and Sequential.");
            }
        }
    }

    /// <summary>Runs the layer on <paramref name="input"/>; its errors name the layer, as Sequential's do.</summary>
    private static Tensor Trace(Layer layer, Tensor input)
    {
        try
        {
            return layer.Module.Forward(input);
        }
        catch (Exception exception) when (ModuleErrors.CanLocate(exception))
        {
            throw ModuleErrors.Locate(exception, layer.Path, layer.Module);
        }
    }

    private void Add(Layer layer, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> outputShape, string input, string output)
    {
        string path = layer.Path;
        switch (layer.Module)
        {
            case Conv2d conv:
                RequireRank(layer, inputShape, 4, "(N, C, H, W)");
                int k = conv.KernelSize, s = conv.Stride, p = conv.Padding;
                AddNode(path, "Conv", [input, Initializer(path, "weight", conv.Weight), .. Bias(path, conv.Bias)], output,
                    AttributeProto.Ints("dilations", 1, 1),
                    AttributeProto.Int("group", 1),
                    AttributeProto.Ints("kernel_shape", k, k),
                    AttributeProto.Ints("pads", p, p, p, p),
                    AttributeProto.Ints("strides", s, s));
                break;
            case MaxPool2d pool:
                RequireRank(layer, inputShape, 4, "(N, C, H, W)");
                // Output sizes round down (ceil_mode 0) and there is no padding, as in FastLoss's MaxPool2d.
                AddNode(path, "MaxPool", [input], output,
                    AttributeProto.Int("ceil_mode", 0),
                    AttributeProto.Ints("kernel_shape", pool.KernelSize, pool.KernelSize),
                    AttributeProto.Ints("pads", 0, 0, 0, 0),
                    AttributeProto.Ints("strides", pool.Stride, pool.Stride));
                break;
            case Flatten flatten:
                AddFlatten(layer, flatten, inputShape, outputShape, input, output);
                break;
            case Linear linear:
                RequireRank(layer, inputShape, 2, "(N, features)");
                // y = x W^T + b: Gemm with B transposed; a 0-dim bias broadcasts over the units as C may.
                AddNode(path, "Gemm", [input, Initializer(path, "weight", linear.Weight), .. Bias(path, linear.Bias)], output,
                    AttributeProto.Int("transB", 1));
                break;
            case ReLU:
                AddNode(path, "Relu", [input], output);
                break;
            case Sigmoid:
                AddNode(path, "Sigmoid", [input], output);
                break;
            case Tanh:
                AddNode(path, "Tanh", [input], output);
                break;
            case Softmax softmax:
                AddNode(path, "Softmax", [input], output, AttributeProto.Int("axis", TensorShape.NormalizeDim(softmax.Dim, inputShape.Length)));
                break;
            case LogSoftmax logSoftmax:
                AddNode(path, "LogSoftmax", [input], output, AttributeProto.Int("axis", TensorShape.NormalizeDim(logSoftmax.Dim, inputShape.Length)));
                break;
            default:
                throw new InvalidOperationException($"ONNX export: no translation for {layer.Module.GetType().Name}, which CollectLayers accepted.");
        }
    }

    /// <summary>
    /// torch's flatten(start, end) keeps the dimensions before start and after end. ONNX Flatten(axis) always makes
    /// two dimensions, which is the same only for start 1 through the last dimension; otherwise a Reshape whose
    /// shape copies the leading dimensions (0), merges the flattened ones (-1) and names the trailing sizes.
    /// </summary>
    private void AddFlatten(Layer layer, Flatten flatten, ReadOnlySpan<int> inputShape, ReadOnlySpan<int> outputShape, string input, string output)
    {
        int rank = inputShape.Length;
        int start = TensorShape.NormalizeDim(flatten.StartDim, rank);
        int end = TensorShape.NormalizeDim(flatten.EndDim, rank);
        if (start == 0)
        {
            throw new ArgumentException(
                $"ONNX export: Sequential module {layer.Path} (Flatten) merges the batch dimension (start_dim 0) of its input {TensorShape.FormatList(inputShape)}; the exported graph keeps the batch as its first dimension.",
                nameof(inputShape));
        }

        if (start == 1 && end == rank - 1)
        {
            AddNode(layer.Path, "Flatten", [input], output, AttributeProto.Int("axis", 1));
            return;
        }

        var shape = new long[outputShape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = d < start ? 0 : d == start ? -1 : outputShape[d];
        }

        string shapeName = $"{layer.Path}.shape";
        _initializers.Add(TensorProto.Int64(shapeName, shape));
        AddNode(layer.Path, "Reshape", [input, shapeName], output);
    }

    private static void RequireRank(Layer layer, ReadOnlySpan<int> inputShape, int rank, string layout)
    {
        if (inputShape.Length != rank)
        {
            throw new ArgumentException(
                $"ONNX export: Sequential module {layer.Path} ({layer.Module.GetType().Name}) gets input {TensorShape.FormatList(inputShape)}; it is exported for batched input {layout}, so give the input shape a batch dimension first.",
                nameof(inputShape));
        }
    }

    private void AddNode(string path, string opType, string[] inputs, string output, params AttributeProto[] attributes) =>
        _nodes.Add(new NodeProto(path, opType, inputs, [output], attributes));

    /// <summary>Adds a parameter as an initializer named by its state_dict key; returns the name.</summary>
    private string Initializer(string path, string parameter, Tensor tensor)
    {
        string name = $"{path}.{parameter}";
        _initializers.Add(TensorProto.Float(name, tensor.Shape, tensor.Values));
        return name;
    }

    /// <summary>The bias operand: none when the layer has no bias.</summary>
    private string[] Bias(string path, Tensor? bias) => bias is null ? [] : [Initializer(path, "bias", bias)];
}
