using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Parameters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastLoss.Benchmarks;

/// <summary>
/// Writes the FastLoss-versus-TorchSharp table (results/*-comparison.md): per loss and size, the time of
/// each path, TorchSharp's forward+backward over FastLoss's fused kernel, the bytes allocated per call,
/// and the fused kernel's memory bandwidth as a share of the measured Sum bandwidth. The bytes a fused call
/// moves: 3 * 4 * Size for the elementwise losses, <see cref="ClassificationCase.FusedBytes"/> for the
/// classification losses. Every other benchmark (the seed CNN, the convolution algorithms, SGEMM, the FMA peak) is
/// listed after it with its baseline's time over its own, and GFLOP/s where the work is known.
/// </summary>
public sealed class ComparisonMarkdownExporter : ExporterBase
{
    private const string TorchForwardBackward = nameof(ElementwiseLossBenchmarks.TorchForwardBackward);
    private const string TorchForward = nameof(ElementwiseLossBenchmarks.TorchForward);
    private const string Forward = nameof(ElementwiseLossBenchmarks.FastLossForward);
    private const string Backward = nameof(ElementwiseLossBenchmarks.FastLossBackward);
    private const string Fused = nameof(ElementwiseLossBenchmarks.FastLossForwardBackward);
    private const string Module = nameof(ElementwiseLossBenchmarks.FastLossModule);
    private const string Scalar = nameof(ElementwiseLossBenchmarks.ScalarLoop);

    protected override string FileExtension => "md";

    protected override string FileCaption => "comparison";

    public override void ExportToLog(Summary summary, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(logger);

        var measured = new Dictionary<(string Loss, string Size, string Method), BenchmarkReport>();
        var rows = new Dictionary<(string Loss, string Size), Traffic>();
        var others = new List<BenchmarkReport>();
        double? bandwidth = null;
        foreach (BenchmarkReport report in summary.Reports)
        {
            string type = report.BenchmarkCase.Descriptor.Type.Name;
            string method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            if (type == nameof(MemoryBandwidthBenchmarks) && report.ResultStatistics is { } sum)
            {
                bandwidth = MemoryBandwidthBenchmarks.Floats * 4.0 / sum.Mean; // bytes per ns = GB/s
                continue;
            }

            if (TrafficOf(report.BenchmarkCase) is { } traffic)
            {
                measured[(LossName(type), traffic.Label, method)] = report;
                rows[(LossName(type), traffic.Label)] = traffic;
            }
            else
            {
                others.Add(report);
            }
        }

        logger.WriteLine("# FastLoss vs TorchSharp: losses (mean reduction)");
        logger.WriteLine();
        logger.WriteLine("## Machine");
        logger.WriteLine();
        logger.WriteLine("```");
        foreach (string line in summary.HostEnvironmentInfo.ToFormattedString())
        {
            logger.WriteLine(line);
        }

        logger.WriteLine(Invariant($"{RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores, Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256 accelerated: {Vector256.IsHardwareAccelerated}"));
        logger.WriteLine(Invariant($"Job: {summary.BenchmarksCases.FirstOrDefault()?.Job.DisplayInfo}"));
        logger.WriteLine(Invariant($"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} (libtorch 2.10.0, CPU), intra-op threads: {TorchSettings.Threads}"));
        logger.WriteLine(Invariant($"ONNX Runtime {typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version} (CPU execution provider)"));
        logger.WriteLine("```");
        logger.WriteLine();
        logger.WriteLine(bandwidth is { } sumRate
            ? Invariant($"Memory bandwidth, TensorPrimitives.Sum over 256 MiB on one core: {sumRate:F1} GB/s.")
            : "Memory bandwidth: not measured in this run (MemoryBandwidthBenchmarks was filtered out).");
        logger.WriteLine();
        logger.WriteLine("Times are means per call. \"Torch / fused\" is TorchSharp forward+backward (autograd) divided by FastLoss ForwardBackward. " +
            "Bandwidth: the bytes the fused kernel moves per call over its time. Elementwise losses read input and target and write the gradient, 3 * 4 * Size bytes. " +
            "CrossEntropyLoss on (N, C) reads the logits and writes the gradient, 8 * N * C bytes, and reads the targets: 8 * N for class indices, 4 * N * C for probabilities. " +
            "NLLLoss writes the gradient and reads the targets and the picked inputs, 4 * N * C + 12 * N bytes. " +
            "Allocated: managed bytes per call (libtorch's native allocations are not counted).");
        logger.WriteLine();
        logger.WriteLine("| Loss | Size | TorchSharp fwd+bwd | TorchSharp fwd | FastLoss Forward | FastLoss Backward | FastLoss ForwardBackward | FastLoss module | Scalar loop | Torch / fused | Fused GB/s | Of Sum bandwidth | Allocated torch / fused / module |");
        logger.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

        foreach (var ((loss, size), traffic) in rows.OrderBy(row => row.Key.Loss, StringComparer.Ordinal).ThenBy(row => row.Value.Elements).ThenBy(row => row.Key.Size, StringComparer.Ordinal))
        {
            double? Mean(string method) => measured.TryGetValue((loss, size, method), out var report) ? report.ResultStatistics?.Mean : null;
            string Allocated(string method) => measured.TryGetValue((loss, size, method), out var report)
                ? Bytes(report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase))
                : "-";

            double? torchTime = Mean(TorchForwardBackward);
            double? fusedTime = Mean(Fused);
            string ratio = torchTime is { } t && fusedTime is { } f && f > 0 ? Invariant($"{t / f:F2}x") : "-";
            double? fusedRate = fusedTime is { } ft && ft > 0 ? traffic.FusedBytes / ft : null;
            string rate = fusedRate is { } r ? Invariant($"{r:F1}") : "-";
            string share = fusedRate is { } fr && bandwidth is { } b ? Invariant($"{100 * fr / b:F0}%") : "-";

            logger.WriteLine(Invariant(
                $"| {loss} | {size} | {Time(torchTime)} | {Time(Mean(TorchForward))} | {Time(Mean(Forward))} | {Time(Mean(Backward))} | {Time(fusedTime)} | {Time(Mean(Module))} | {Time(Mean(Scalar))} | {ratio} | {rate} | {share} | {Allocated(TorchForwardBackward)} / {Allocated(Fused)} / {Allocated(Module)} |"));
        }

        WriteOthers(others, logger);
    }

    /// <summary>
    /// The benchmarks that are not losses, one row per case: "Baseline / this" is the mean of the case marked as the
    /// baseline (TorchSharp, ONNX Runtime for OnnxInference, separate models for ConcurrentInference) with the same
    /// parameters over this case's mean; GFLOP/s is 2 M N K per product for SGEMM and the
    /// loop's flops for the FMA peak, which the SGEMM rows are also given as a share of.
    /// </summary>
    private static void WriteOthers(List<BenchmarkReport> others, ILogger logger)
    {
        others.RemoveAll(report => report.BenchmarkCase.Descriptor.Type == typeof(MemoryBandwidthBenchmarks) || report.ResultStatistics is null);
        if (others.Count == 0)
        {
            return;
        }

        double? peak = null;
        foreach (BenchmarkReport report in others)
        {
            if (report.BenchmarkCase.Descriptor.Type == typeof(FmaPeakBenchmarks))
            {
                peak = FmaPeakBenchmarks.Flops / report.ResultStatistics!.Mean;
            }
        }

        logger.WriteLine();
        logger.WriteLine("# The seed CNN, convolution algorithms, SGEMM and the FMA peak");
        logger.WriteLine();
        logger.WriteLine("\"Baseline / this\" is the baseline case's mean over this case's: TorchSharp's, ONNX Runtime's for OnnxInference, two separate models' for ConcurrentInference.");
        logger.WriteLine();
        logger.WriteLine("| Benchmark | Case | Parameters | Mean | Baseline / this | GFLOP/s | Of FMA peak | Allocated |");
        logger.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (BenchmarkReport report in others)
        {
            BenchmarkCase benchmark = report.BenchmarkCase;
            string parameters = benchmark.Parameters.DisplayInfo;
            double mean = report.ResultStatistics!.Mean;
            BenchmarkReport? baseline = others.Find(candidate =>
                candidate.BenchmarkCase.Descriptor.Type == benchmark.Descriptor.Type
                && candidate.BenchmarkCase.Descriptor.Baseline
                && candidate.BenchmarkCase.Parameters.DisplayInfo == parameters);
            string ratio = baseline is null || baseline == report ? "-" : Invariant($"{baseline.ResultStatistics!.Mean / mean:F2}x");
            double? flops = benchmark.Descriptor.Type == typeof(FmaPeakBenchmarks) ? FmaPeakBenchmarks.Flops
                : benchmark.Parameters.Items.FirstOrDefault(item => item.Value is GemmShape)?.Value is GemmShape shape ? 2.0 * shape.M * shape.N * shape.K
                : null;
            double? rate = flops / mean;
            string share = rate is { } r && peak is { } p && benchmark.Descriptor.Type == typeof(GemmBenchmarks) ? Invariant($"{100 * r / p:F0}%") : "-";
            logger.WriteLine(Invariant(
                $"| {LossName(benchmark.Descriptor.Type.Name)} | {benchmark.Descriptor.WorkloadMethodDisplayInfo} | {parameters} | {Time(mean)} | {ratio} | {(rate is { } g ? Invariant($"{g:F1}") : "-")} | {share} | {Bytes(report.GcStats.GetBytesAllocatedPerOperation(benchmark))} |"));
        }
    }

    /// <summary>A row's size as shown, its element count (the order of the rows) and the bytes one fused call moves.</summary>
    private sealed record Traffic(string Label, long Elements, double FusedBytes);

    private static Traffic? TrafficOf(BenchmarkCase benchmark)
    {
        foreach (ParameterInstance parameter in benchmark.Parameters.Items)
        {
            switch (parameter.Value)
            {
                case int size when parameter.Name == "Size":
                    return new Traffic(size.ToString(CultureInfo.InvariantCulture), size, 12.0 * size);
                case ClassificationCase shape:
                    return new Traffic(shape.ToString(), shape.Elements, shape.FusedBytes);
            }
        }

        return null;
    }

    private static string LossName(string benchmarkType) =>
        benchmarkType.EndsWith("Benchmarks", StringComparison.Ordinal) ? benchmarkType[..^"Benchmarks".Length] : benchmarkType;

    private static string Time(double? nanoseconds) => nanoseconds switch
    {
        null => "-",
        < 1e3 => Invariant($"{nanoseconds:F1} ns"),
        < 1e6 => Invariant($"{nanoseconds / 1e3:F2} us"),
        _ => Invariant($"{nanoseconds / 1e6:F2} ms"),
    };

    private static string Bytes(long? bytes) => bytes is { } b ? Invariant($"{b} B") : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
