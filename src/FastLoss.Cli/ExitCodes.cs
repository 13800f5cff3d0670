namespace FastLoss.Cli;

/// <summary>The process exit codes of the commands.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command could not do its work: missing or corrupt file, bad index, no data.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown option, bad value, missing argument.</summary>
    public const int Usage = 2;

    /// <summary>Training was interrupted (Ctrl+C, SIGTERM) and stopped cleanly after writing a checkpoint (128 + SIGINT, by convention).</summary>
    public const int Interrupted = 130;
}
