using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace FastLoss.Benchmarks;

public static class Program
{
    /// <summary>
    /// dotnet run -c Release -- --filter '*' [--job short|dry|...] (BenchmarkDotNet's command line; see ../run-benchmarks.sh).
    /// The benchmarks always run in this process (--inProcess is added): it loads the libLibTorchSharp.so
    /// the build patched for Debian 12, where a separately generated benchmark project would get an
    /// unpatched copy, and 500 MB of libtorch with it.
    /// </summary>
    public static void Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string[] arguments = Array.Exists(args, arg => arg is "--inProcess" or "-i") ? args : [.. args, "--inProcess"];
        // Each loss class carries its own category, so with --join every loss and size keeps its own baseline.
        var config = DefaultConfig.Instance
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
            .AddExporter(new ComparisonMarkdownExporter());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments, config);
    }
}
