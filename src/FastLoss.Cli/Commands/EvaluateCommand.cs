using System.CommandLine;
using FastLoss.Cli.Reporting;
using FastLoss.Cli.Training;
using FastLoss.Data;
using Spectre.Console;

namespace FastLoss.Cli.Commands;

/// <summary><c>fastloss evaluate --checkpoint FILE</c>: test loss, accuracy and accuracy per class of a checkpoint.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliConsole console)
    {
        Option<string> checkpoint = SharedOptions.Checkpoint();
        Option<string?> keyPrefix = SharedOptions.KeyPrefix();
        Option<string> data = SharedOptions.Data();
        Option<bool> noDownload = SharedOptions.NoDownload();
        Option<int?> batchSize = SharedOptions.AtLeast(new Option<int?>("--batch-size")
        {
            Description = "Images per batch (default: the checkpoint's, so the figures match those printed in training).",
            HelpName = "N",
        }, 1);
        Option<int?> limitTest = SharedOptions.AtLeast(new Option<int?>("--limit-test")
        {
            Description = "Evaluate on the first N test images only.",
            HelpName = "N",
        }, 1);
        Option<int?> threads = SharedOptions.Threads();
        var command = new Command("evaluate", "Test loss, accuracy and accuracy per class of a checkpoint on the CIFAR-10 test set.")
        {
            checkpoint, keyPrefix, data, noDownload, batchSize, limitTest, threads,
        };
        command.SetAction(parse => CommandAction.Run(console, "evaluate", () =>
        {
            SharedOptions.ApplyThreads(parse.GetValue(threads));
            LoadedCheckpoint loaded = LoadedCheckpoint.Load(parse.GetValue(checkpoint)!, parse.GetValue(keyPrefix));
            Cifar10 testSet = SharedOptions.TestSet(parse.GetValue(data)!, parse.GetValue(noDownload), console.Out);
            IImageDataset test = parse.GetValue(limitTest) is { } limit ? DatasetSubset.First(testSet, limit) : testSet;
            int batch = parse.GetValue(batchSize) ?? loaded.State?.BatchSize ?? 64;
            EvaluationResult result = new Evaluator(loaded.Model, test, batch, FastLoss.NN.Cifar10Cnn.Classes).Run();

            console.Out.WriteLine(loaded.Description);
            console.Out.WriteLine($"test data: {testSet}" + (test.Count < testSet.Count ? $"; using the first {Figures.Count(test.Count)}" : ""));
            console.Out.WriteLine($"test {Figures.Evaluation(result)}");
            console.Out.WriteLine();
            if (console.IsTerminal)
            {
                AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) }).Write(ClassAccuracyTable.Create(result, testSet.Classes));
            }
            else
            {
                ClassAccuracyTable.WriteText(console.Out, result, testSet.Classes);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
