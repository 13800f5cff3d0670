namespace FastLoss.Cli;

/// <summary>Where the commands write, and whether the output is a terminal (live progress) or a log (plain lines).</summary>
/// <param name="Out">Results and progress.</param>
/// <param name="Error">Error messages.</param>
/// <param name="IsTerminal">Whether <paramref name="Out"/> is an interactive terminal that can show a live progress bar.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal)
{
    /// <summary>
    /// The process's console. It counts as a terminal when standard output is not redirected, TERM is not "dumb"
    /// and no CI variable is set (CI logs want plain lines).
    /// </summary>
    public static CliConsole ForProcess()
    {
        bool terminal = !Console.IsOutputRedirected
            && Environment.GetEnvironmentVariable("TERM") != "dumb"
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        return new CliConsole(Console.Out, Console.Error, terminal);
    }

    /// <summary>Writers that are not a terminal (tests, embedding).</summary>
    public static CliConsole Plain(TextWriter output, TextWriter error) => new(output, error, IsTerminal: false);
}
