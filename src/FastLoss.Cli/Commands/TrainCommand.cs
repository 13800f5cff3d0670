using System.CommandLine;
using FastLoss.Cli.Reporting;
using FastLoss.Cli.Training;
using Spectre.Console;

namespace FastLoss.Cli.Commands;

/// <summary>
/// <c>fastloss train</c>: trains the tutorial's CNN on CIFAR-10 with cross-entropy and SGD, evaluating on the
/// test set after every epoch, writing checkpoints, the loss curve and TensorBoard events to --out.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console, CancellationToken cancellation)
    {
        Option<string> data = SharedOptions.Data();
        Option<bool> noDownload = SharedOptions.NoDownload();
        Option<int> epochs = SharedOptions.AtLeast(new Option<int>("--epochs")
        {
            Description = "Train until this many epochs are done (a resumed run counts the checkpoint's).",
            HelpName = "N",
            DefaultValueFactory = _ => 10,
        }, 1);
        Option<int> batchSize = SharedOptions.AtLeast(new Option<int>("--batch-size")
        {
            Description = "Images per batch.",
            HelpName = "N",
            DefaultValueFactory = _ => 64,
        }, 1);
        Option<float> lr = SharedOptions.NonNegative(new Option<float>("--lr")
        {
            Description = "SGD learning rate.",
            HelpName = "X",
            DefaultValueFactory = _ => 0.01f,
        });
        Option<float> momentum = SharedOptions.NonNegative(new Option<float>("--momentum")
        {
            Description = "SGD momentum (0: plain SGD).",
            HelpName = "X",
            DefaultValueFactory = _ => 0f,
        });
        Option<int> seed = SharedOptions.AnyInteger(new Option<int>("--seed")
        {
            Description = "Seeds the initial weights and the shuffle order.",
            HelpName = "N",
            DefaultValueFactory = _ => 0,
        });
        Option<int?> threads = SharedOptions.Threads();
        Option<string> output = new("--out")
        {
            Description = "Folder for checkpoint.safetensors, checkpoints/, loss-curve.png, losses.csv and tensorboard/ (with --resume: the checkpoint's folder unless given).",
            HelpName = "DIR",
            DefaultValueFactory = _ => Path.Combine("runs", "cifar10"),
        };
        Option<string?> resume = new("--resume")
        {
            Description = "Continue a run from its newest complete checkpoint (the run folder or its checkpoint.safetensors): network, momentum, counters and shuffle order.",
            HelpName = "RUN",
        };
        Option<int?> limitTrain = SharedOptions.AtLeast(new Option<int?>("--limit-train")
        {
            Description = "Train on the first N training images only, for a quick run.",
            HelpName = "N",
        }, 1);
        Option<int?> limitTest = SharedOptions.AtLeast(new Option<int?>("--limit-test")
        {
            Description = "Evaluate on the first N test images only, for a quick run.",
            HelpName = "N",
        }, 1);
        Option<int> logInterval = SharedOptions.AtLeast(new Option<int>("--log-interval")
        {
            Description = "Batches between running-loss points on the loss curve (and progress lines in plain output).",
            HelpName = "N",
            DefaultValueFactory = _ => 25,
        }, 1);
        Option<bool> plain = new("--plain")
        {
            Description = "Print plain progress lines even on a terminal (the default when output is redirected).",
        };

        var command = new Command("train", "Train the tutorial's CNN on CIFAR-10 (cross-entropy, SGD), evaluating on the test set every epoch.")
        {
            data, noDownload, epochs, batchSize, lr, momentum, seed, threads, output, resume, limitTrain, limitTest, logInterval, plain,
        };
        command.SetAction(parse => CommandAction.Run(console, "train", () =>
        {
            ExplicitOptions given = ExplicitOptions.None;
            given |= parse.IsGiven(batchSize) ? ExplicitOptions.BatchSize : 0;
            given |= parse.IsGiven(lr) ? ExplicitOptions.Lr : 0;
            given |= parse.IsGiven(momentum) ? ExplicitOptions.Momentum : 0;
            given |= parse.IsGiven(seed) ? ExplicitOptions.Seed : 0;
            given |= parse.IsGiven(limitTrain) ? ExplicitOptions.LimitTrain : 0;
            given |= parse.IsGiven(output) ? ExplicitOptions.OutputFolder : 0;
            given |= parse.IsGiven(logInterval) ? ExplicitOptions.LogInterval : 0;
            var settings = new TrainingSettings
            {
                DataRoot = parse.GetValue(data)!,
                Download = !parse.GetValue(noDownload),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Lr = parse.GetValue(lr),
                Momentum = parse.GetValue(momentum),
                Seed = parse.GetValue(seed),
                OutputFolder = parse.GetValue(output)!,
                Resume = parse.GetValue(resume),
                LimitTrain = parse.GetValue(limitTrain),
                LimitTest = parse.GetValue(limitTest),
                LogInterval = parse.GetValue(logInterval),
                Given = given,
            };
            SharedOptions.ApplyThreads(parse.GetValue(threads));
            return Run(settings, console, parse.GetValue(plain), cancellation);
        }));
        return command;
    }

    /// <summary>Trains; returns 0 when all epochs are done, 130 when interrupted after writing a checkpoint.</summary>
    public static int Run(TrainingSettings settings, CliConsole console, bool plain, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(console);
        ITrainingReporter reporter = console.IsTerminal && !plain
            ? new LiveTrainingReporter(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) }))
            : new PlainTrainingReporter(console.Out);
        TrainingResult result = new TrainingRun(settings, reporter).Execute(cancellation);
        if (result.Epochs.Count > 0 || result.Interrupted)
        {
            console.Out.WriteLine($"outputs in {result.OutputFolder}");
        }

        if (result.ResumeWith is { } command)
        {
            // Plain text after the progress display: one line, not wrapped, that runs as printed.
            console.Out.WriteLine($"continue with: {command}");
        }

        return result.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
    }
}
