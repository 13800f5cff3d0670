using System.Text;

namespace FastLoss.Cli;

/// <summary>Turns an exception into the one line a command prints for it.</summary>
internal static class ErrorMessages
{
    /// <summary>
    /// The exception's message on one line. Problems the user can fix (files, data, options) are shown by their
    /// message alone; anything else is an internal error and also names the exception type.
    /// </summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            // Drop the " (Parameter 'x')" suffix (and "Actual value was ..." after it) that ArgumentException appends.
            int suffix = message.IndexOf($" (Parameter '{parameter}')", StringComparison.Ordinal);
            message = suffix >= 0 ? message[..suffix] : message;
        }

        message = Collapse(message);
        return IsUserProblem(exception) ? message : $"internal error: {exception.GetType().Name}: {message}";
    }

    public static bool IsUserProblem(Exception exception) => exception is CommandException or IOException or InvalidDataException
        or UnauthorizedAccessException or ArgumentException or System.Net.Http.HttpRequestException;

    /// <summary>Joins lines with spaces and squeezes runs of whitespace.</summary>
    private static string Collapse(string text)
    {
        var line = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = line.Length > 0;
                continue;
            }

            if (space)
            {
                line.Append(' ');
                space = false;
            }

            line.Append(c);
        }

        return line.ToString();
    }
}
