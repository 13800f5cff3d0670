using System.CommandLine;
using System.CommandLine.Help;
using FastLoss.Cli.Commands;

namespace FastLoss.Cli;

/// <summary>
/// The fastloss command line: train, evaluate, predict, plot and export. <see cref="Run"/> is the whole program, callable
/// in-process with any writers and cancellation token (Program passes the console and Ctrl+C).
/// </summary>
internal static class CliApplication
{
    /// <summary>The command's name, also when run as <c>dotnet FastLoss.Cli.dll</c> (help shows "Usage: fastloss ...").</summary>
    public const string Name = "fastloss";

    public static Command Create(CliConsole console, CancellationToken cancellation)
    {
        var root = new Command(Name, "FastLoss: train and use the PyTorch tutorial's CIFAR-10 CNN in .NET.")
        {
            new HelpOption(),
            new VersionOption(),
            TrainCommand.Create(console, cancellation),
            EvaluateCommand.Create(console),
            PredictCommand.Create(console),
            PlotCommand.Create(console),
            ExportCommand.Create(console),
        };
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. Returns the exit code: 0 done, 1 failed (one line on the error
    /// output), 2 bad command line, 130 training interrupted after writing a checkpoint.
    /// </summary>
    public static int Run(string[] args, CliConsole console, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        Command root = Create(console, cancellation);
        ParseResult parse = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Cancellation comes from the caller (Program turns Ctrl+C and SIGTERM into it).
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        if (parse.Errors.Count > 0 && !AsksForHelp(args))
        {
            // One line: every problem with the command line, then where the usage is.
            var problems = new List<string>(parse.Errors.Count);
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                problems.Add(error.Message.TrimEnd('.'));
            }

            string command = parse.CommandResult.Command == root ? Name : $"{Name} {parse.CommandResult.Command.Name}";
            console.Error.WriteLine($"fastloss: {string.Join("; ", problems)}. Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }

        return parse.Invoke(configuration);
    }

    private static bool AsksForHelp(string[] args) => Array.Exists(args, a => a is "--help" or "-h" or "-?");
}
