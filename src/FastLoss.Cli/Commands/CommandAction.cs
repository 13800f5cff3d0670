namespace FastLoss.Cli.Commands;

/// <summary>Runs a command's work and turns a failure into one line on the error output and an exit code, without a stack trace.</summary>
internal static class CommandAction
{
    public static int Run(CliConsole console, string command, Func<int> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return work();
        }
#pragma warning disable CA1031 // The command line's boundary: every failure becomes a message and an exit code.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            console.Out.Flush();
            console.Error.WriteLine($"fastloss {command}: {ErrorMessages.OneLine(exception)}");
            return ExitCodes.Failure;
        }
    }
}
