using BenchmarkDotNet.Attributes;
using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Serialization;
using FastLoss.Threading;
using Microsoft.ML.OnnxRuntime;

namespace FastLoss.Benchmarks;

/// <summary>
/// Inference with the first seed's CIFAR-10 CNN on a batch of <see cref="Batch"/> images: FastLoss (without
/// recording gradients, on <see cref="Threads"/> compute-pool threads) beside ONNX Runtime running the model
/// <see cref="Onnx.Export"/> wrote from the same weights, with <see cref="Threads"/> intra-op threads, sequential
/// execution and its default graph optimizations. ONNX Runtime's input and output are OrtValues over arrays made
/// once and bound to the session (IOBinding), so a call allocates nothing; setup checks that both give the same logits.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("OnnxInference")]
public class OnnxInferenceBenchmarks
{
    private string _folder = null!;
    private Sequential _model = null!;
    private Tensor _images = null!;
    private SessionOptions _options = null!;
    private InferenceSession _session = null!;
    private RunOptions _run = null!;
    private OrtValue _input = null!, _output = null!;
    private OrtIoBinding _binding = null!;
    private float[] _logits = null!;

    [Params(1, 64)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ComputePool.SetThreadCount(Threads);
        var generator = new Generator(1);
        _model = Cifar10Cnn.Create(generator);
        _images = Init.Uniform(Tensor.Zeros(Batch, 3, 32, 32), 0, 1, generator);

        _folder = Path.Combine(Path.GetTempPath(), "fastloss-onnx-benchmark-" + Guid.NewGuid().ToString("N"));
        string path = Path.Combine(_folder, "seed-cnn.onnx");
        Onnx.Export(_model, path, [Batch, 3, 32, 32]);
        _options = new SessionOptions { IntraOpNumThreads = Threads, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(path, _options);
        _run = new RunOptions();
        _input = OrtValue.CreateTensorValueFromMemory(_images.ToArray(), [Batch, 3, 32, 32]);
        _logits = new float[Batch * Cifar10Cnn.Classes];
        _output = OrtValue.CreateTensorValueFromMemory(_logits, [Batch, Cifar10Cnn.Classes]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput(Onnx.InputName, _input);
        _binding.BindOutput(Onnx.OutputName, _output);
        CheckSameLogits();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _run.Dispose();
        _session.Dispose();
        _options.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime inference")]
    public float OnnxRuntimeInference()
    {
        _session.RunWithBinding(_run, _binding);
        return _logits[0];
    }

    [Benchmark(Description = "FastLoss inference")]
    public float FastLossInference()
    {
        using (GradMode.NoGrad())
        {
            return _model.Forward(_images).Span[0];
        }
    }

    /// <summary>Both runtimes must compute the same function for their times to compare (float32 rounding apart).</summary>
    private void CheckSameLogits()
    {
        OnnxRuntimeInference();
        using (GradMode.NoGrad())
        {
            ReadOnlySpan<float> expected = _model.Forward(_images).Span;
            float scale = 0, worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                scale = Math.Max(scale, Math.Abs(expected[i]));
                worst = Math.Max(worst, Math.Abs(expected[i] - _logits[i]));
            }

            if (worst > (1e-5f * scale) + 1e-6f)
            {
                throw new InvalidOperationException($"ONNX Runtime's logits differ from FastLoss's by up to {worst} (largest logit {scale}).");
            }
        }
    }
}
