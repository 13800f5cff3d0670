using FastLoss.Tests.NN;

namespace FastLoss.Tests.TestSupport;

/// <summary>
/// The test assembly's entry point. The test host never calls it; tests start the assembly as a child process
/// (<c>dotnet exec FastLoss.Tests.dll probe-name ...</c>) to measure what needs a process of its own, such as
/// every allocation of every thread, which the test host's own background work would otherwise disturb.
/// </summary>
internal static class ChildProcessEntry
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == TrainingStepAllocationProbe.Command)
        {
            return TrainingStepAllocationProbe.Run(args);
        }

        Console.Error.WriteLine("FastLoss.Tests is run by the test host; as a program it only runs probes for tests.");
        return 2;
    }

    /// <summary>Runs a probe in a child process and returns its standard output, failing the test if it fails.</summary>
    public static string RunProbe(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(ChildProcessEntry).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill();
            Assert.Fail($"The probe {string.Join(' ', arguments)} did not finish within 3 minutes.");
        }

        Assert.True(process.ExitCode == 0, $"The probe {string.Join(' ', arguments)} exited with {process.ExitCode}: {output} {error.Result}");
        return output;
    }
}
