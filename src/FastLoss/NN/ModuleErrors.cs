namespace FastLoss.NN;

/// <summary>
/// Names where in a container an error came from: the message of a module's exception gets
/// "(in Sequential module 7, Linear)" appended, and the exception keeps its type, so callers catch what they caught
/// before. Nested containers add one note each, innermost first.
/// </summary>
internal static class ModuleErrors
{
    /// <summary>
    /// torch's error for a module (or loss) that defines no forward: nn.Module's default forward is
    /// _forward_unimplemented, which raises this. The base classes' ForwardCore is that default, so a subclass that
    /// forgets to override it fails on its first call with torch's words, as a PyTorch user expects.
    /// </summary>
    public static NotImplementedException ForwardMissing(Module module) =>
        new($"Module [{module.GetType().Name}] is missing the required \"forward\" function");

    public static bool CanLocate(Exception exception) => exception is ArgumentException or InvalidOperationException;

    public static Exception Locate(Exception exception, int index, Module module) =>
        Locate(exception, index.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

    /// <summary>The same for a module named by its path through nested containers ("2.0": module 0 of module 2).</summary>
    public static Exception Locate(Exception exception, string path, Module module)
    {
        string where = $"(in Sequential module {path}, {module.GetType().Name})";
        return exception switch
        {
            ArgumentOutOfRangeException e => new ArgumentOutOfRangeException(e.ParamName, $"{MessageOf(e)} {where}"),
            ArgumentException e => new ArgumentException($"{MessageOf(e)} {where}", e.ParamName, e),
            _ => new InvalidOperationException($"{exception.Message} {where}", exception),
        };
    }

    /// <summary>The message without the " (Parameter 'x')" that ArgumentException appends (it is appended again).</summary>
    private static string MessageOf(ArgumentException exception)
    {
        string message = exception.Message;
        if (exception.ParamName is { } parameter)
        {
            int suffix = message.IndexOf($" (Parameter '{parameter}')", StringComparison.Ordinal);
            message = suffix >= 0 ? message[..suffix] : message;
        }

        return message;
    }
}
