using System.Globalization;
using System.Text;

namespace FastLoss.Cli.Training;

/// <summary>
/// The command that continues an interrupted run, as one line that works when pasted into a shell: this program as
/// it was started (<c>dotnet /path/FastLoss.Cli.dll</c>, or the executable), <c>train --resume</c> with the checkpoint,
/// and the options a checkpoint does not record (the data folder, the epochs asked for, --no-download, --limit-test).
/// Arguments are quoted for a POSIX shell where they need it.
/// </summary>
internal static class ResumeCommand
{
    /// <summary>The arguments after the program: what <c>fastloss</c> itself receives.</summary>
    public static IReadOnlyList<string> Arguments(string checkpoint, TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var arguments = new List<string>
        {
            "train", "--resume", Path.GetFullPath(checkpoint), "--data", Path.GetFullPath(settings.DataRoot),
            "--epochs", settings.Epochs.ToString(CultureInfo.InvariantCulture),
        };
        if (!settings.Download)
        {
            arguments.Add("--no-download");
        }

        if (settings.LimitTest is { } limit)
        {
            arguments.Add("--limit-test");
            arguments.Add(limit.ToString(CultureInfo.InvariantCulture));
        }

        return arguments;
    }

    /// <summary>The whole command line, program included.</summary>
    public static string Line(string checkpoint, TrainingSettings settings)
    {
        var words = new List<string>(Program());
        words.AddRange(Arguments(checkpoint, settings));
        var line = new StringBuilder();
        foreach (string word in words)
        {
            line.Append(line.Length == 0 ? string.Empty : " ").Append(Quote(word));
        }

        return line.ToString();
    }

    /// <summary>How this process was started: the host and the assembly for <c>dotnet x.dll</c>, else the executable.</summary>
    private static IReadOnlyList<string> Program()
    {
        string? process = Environment.ProcessPath;
        string assembly = typeof(ResumeCommand).Assembly.Location;
        bool hosted = process is null || Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return hosted ? ["dotnet", assembly] : [process!];
    }

    /// <summary>A word as a POSIX shell reads it back: bare when it is safe, else in single quotes.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        bool safe = word.Length > 0;
        foreach (char c in word)
        {
            safe &= char.IsAsciiLetterOrDigit(c) || "_-./:=@%+,".Contains(c, StringComparison.Ordinal);
        }

        return safe ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
