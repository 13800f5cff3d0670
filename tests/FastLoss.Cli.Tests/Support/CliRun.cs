namespace FastLoss.Cli.Tests.Support;

/// <summary>The result of one in-process run of the fastloss command line.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>The error output's non-empty lines.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs the command line in-process, as Program does, with string writers for its output.</summary>
internal static class CliRun
{
    public static CliResult Run(params string[] args) => Run(CancellationToken.None, args);

    public static CliResult Run(CancellationToken cancellation, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CliApplication.Run(args, CliConsole.Plain(output, error), cancellation);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs with an output writer of the caller's (e.g. one that reacts to a progress line).</summary>
    public static CliResult Run(TextWriter output, CancellationToken cancellation, params string[] args)
    {
        using var error = new StringWriter();
        int code = CliApplication.Run(args, CliConsole.Plain(output, error), cancellation);
        return new CliResult(code, output.ToString() ?? "", error.ToString());
    }
}
