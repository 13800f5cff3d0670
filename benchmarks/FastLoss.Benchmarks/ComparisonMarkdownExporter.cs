using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace FastLoss.Benchmarks;

/// <summary>
/// Writes the FastLoss-versus-TorchSharp table (results/*-comparison.md): per loss and size, the time of
/// each path, TorchSharp's forward+backward over FastLoss's fused kernel, the bytes allocated per call,
/// and the fused kernel's memory bandwidth (3 * 4 * Size bytes) as a share of the measured Sum bandwidth.
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

        var measured = new Dictionary<(string Loss, int Size, string Method), BenchmarkReport>();
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

            if (report.BenchmarkCase.Parameters["Size"] is int size)
            {
                measured[(LossName(type), size, method)] = report;
            }
        }

        logger.WriteLine("# FastLoss vs TorchSharp: elementwise losses (mean reduction)");
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
        logger.WriteLine("```");
        logger.WriteLine();
        logger.WriteLine(bandwidth is { } sumRate
            ? Invariant($"Memory bandwidth, TensorPrimitives.Sum over 256 MiB on one core: {sumRate:F1} GB/s.")
            : "Memory bandwidth: not measured in this run (MemoryBandwidthBenchmarks was filtered out).");
        logger.WriteLine();
        logger.WriteLine("Times are means per call. \"Torch / fused\" is TorchSharp forward+backward (autograd) divided by FastLoss ForwardBackward. " +
            "Bandwidth: the fused kernel reads input and target and writes the gradient, 3 * 4 * Size bytes per call. " +
            "Allocated: managed bytes per call (libtorch's native allocations are not counted).");
        logger.WriteLine();
        logger.WriteLine("| Loss | Size | TorchSharp fwd+bwd | TorchSharp fwd | FastLoss Forward | FastLoss Backward | FastLoss ForwardBackward | FastLoss module | Scalar loop | Torch / fused | Fused GB/s | Of Sum bandwidth | Allocated torch / fused / module |");
        logger.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

        foreach (var (loss, size) in measured.Keys.Select(key => (key.Loss, key.Size)).Distinct().OrderBy(key => key.Loss, StringComparer.Ordinal).ThenBy(key => key.Size))
        {
            double? Mean(string method) => measured.TryGetValue((loss, size, method), out var report) ? report.ResultStatistics?.Mean : null;
            string Allocated(string method) => measured.TryGetValue((loss, size, method), out var report)
                ? Bytes(report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase))
                : "-";

            double? torchTime = Mean(TorchForwardBackward);
            double? fusedTime = Mean(Fused);
            string ratio = torchTime is { } t && fusedTime is { } f && f > 0 ? Invariant($"{t / f:F2}x") : "-";
            double? fusedRate = fusedTime is { } ft && ft > 0 ? 12.0 * size / ft : null;
            string rate = fusedRate is { } r ? Invariant($"{r:F1}") : "-";
            string share = fusedRate is { } fr && bandwidth is { } b ? Invariant($"{100 * fr / b:F0}%") : "-";

            logger.WriteLine(Invariant(
                $"| {loss} | {size} | {Time(torchTime)} | {Time(Mean(TorchForward))} | {Time(Mean(Forward))} | {Time(Mean(Backward))} | {Time(fusedTime)} | {Time(Mean(Module))} | {Time(Mean(Scalar))} | {ratio} | {rate} | {share} | {Allocated(TorchForwardBackward)} / {Allocated(Fused)} / {Allocated(Module)} |"));
        }
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
