using FastLoss.Serialization;
using Microsoft.ML.OnnxRuntime;

namespace FastLoss.OnnxTests.Support;

/// <summary>An exported file loaded in ONNX Runtime (which refuses a malformed or invalid model as it loads), run on FastLoss tensors.</summary>
internal sealed class OnnxRuntimeModel : IDisposable
{
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();

    public OnnxRuntimeModel(string path)
    {
        _options = new SessionOptions { IntraOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        Session = new InferenceSession(path, _options);
    }

    public InferenceSession Session { get; }

    /// <summary>The graph output for <paramref name="input"/>: its values and shape.</summary>
    public (float[] Values, long[] Shape) Run(Tensor input)
    {
        long[] shape = Array.ConvertAll(input.Shape.ToArray(), size => (long)size);
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(input.ToArray(), shape);
        using IDisposableReadOnlyCollection<OrtValue> outputs = Session.Run(_run, [Onnx.InputName], [value], [Onnx.OutputName]);
        OrtValue output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    public void Dispose()
    {
        Session.Dispose();
        _run.Dispose();
        _options.Dispose();
    }
}
