namespace FastLoss.Cli;

/// <summary>A problem with what the user asked for (an option, a file, an index); its message is shown as is, on one line.</summary>
internal sealed class CommandException : Exception
{
    public CommandException()
    {
    }

    public CommandException(string message)
        : base(message)
    {
    }

    public CommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
