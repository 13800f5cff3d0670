using FastLoss.NN;

namespace FastLoss.Serialization;

/// <summary>
/// ONNX export of <see cref="Sequential"/> networks (torch.onnx.export's role for the layers FastLoss has): a model
/// file of opset <see cref="OpsetVersion"/> and IR version <see cref="IrVersion"/> that ONNX Runtime and other ONNX
/// tools run. The graph's input is named <see cref="InputName"/> and its output <see cref="OutputName"/>, both float32
/// with a first dimension <see cref="BatchDimension"/> that may take any size. The weights are initializers named as
/// the model's state_dict keys ("0.weight", "0.bias", ...), each node by its module's path ("0", or "2.1" inside a
/// nested Sequential), and the value a node computes is "PATH.output".
/// <para>
/// Exported: <see cref="Conv2d"/> (ONNX Conv), <see cref="MaxPool2d"/> (MaxPool), <see cref="Flatten"/> (Flatten,
/// or Reshape when it does not merge every dimension after the first), <see cref="Linear"/> (Gemm), <see cref="ReLU"/>,
/// <see cref="Sigmoid"/>, <see cref="Tanh"/>, <see cref="Softmax"/>, <see cref="LogSoftmax"/> and nested
/// <see cref="Sequential"/> containers. The first dimension must stay the batch throughout: convolutions and pools
/// take (N, C, H, W), Linear takes (N, features), and Flatten keeps dimension 0.
/// </para>
/// </summary>
public static class Onnx
{
    /// <summary>The version of ONNX's default operator set the graph uses.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version of the file (ONNX 1.10 and later read it).</summary>
    public const int IrVersion = 8;

    /// <summary>The graph input's name.</summary>
    public const string InputName = "input";

    /// <summary>The graph output's name.</summary>
    public const string OutputName = "output";

    /// <summary>The dim_param naming the input's and output's first dimension, which may take any size.</summary>
    public const string BatchDimension = "batch";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> as an ONNX model, through a temporary file renamed
    /// into place, so a failed export leaves no file (and an existing one as it was). The model is run once, without
    /// recording gradients, on zeros of <paramref name="inputShape"/> to find every layer's shapes (a shape the model
    /// refuses is refused here with its message). A module that has no ONNX form is a
    /// <see cref="NotSupportedException"/> naming its index in the Sequential and its type; an input shape that gives a
    /// layer no batch dimension is an <see cref="ArgumentException"/>.
    /// </summary>
    /// <param name="model">The network; its current weights are written.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="inputShape">The shape of one input batch, batch size first, e.g. [1, 3, 32, 32]; the exported graph takes any batch size.</param>
    public static void Export(Sequential model, string path, ReadOnlySpan<int> inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] file = OnnxGraphBuilder.Build(model, inputShape).ToArray();
        AtomicFile.Write(path, stream => stream.Write(file));
    }
}
