using System.CommandLine;
using System.Globalization;
using FastLoss.Autograd;
using FastLoss.Cli.Reporting;
using FastLoss.Cli.Training;
using FastLoss.Data;
using FastLoss.NN;

namespace FastLoss.Cli.Commands;

/// <summary>
/// <c>fastloss predict --checkpoint FILE INDEX...</c>: for test images by index, the predicted class, its softmax
/// probability and the true label.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        Option<string> checkpoint = SharedOptions.Checkpoint();
        Option<string?> keyPrefix = SharedOptions.KeyPrefix();
        Option<string> data = SharedOptions.Data();
        Option<bool> noDownload = SharedOptions.NoDownload();
        Option<int?> threads = SharedOptions.Threads();
        Argument<string[]> indexes = new("IMAGE-INDEXES")
        {
            Description = "Indexes of test images (0 to 9999 for the full test set).",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("predict", "Predict the class of CIFAR-10 test images with a checkpoint.")
        {
            checkpoint, keyPrefix, data, noDownload, threads, indexes,
        };
        command.SetAction(parse => CommandAction.Run(console, "predict", () =>
        {
            SharedOptions.ApplyThreads(parse.GetValue(threads));
            LoadedCheckpoint loaded = LoadedCheckpoint.Load(parse.GetValue(checkpoint)!, parse.GetValue(keyPrefix));
            Cifar10 testSet = SharedOptions.TestSet(parse.GetValue(data)!, parse.GetValue(noDownload), console.Out);
            int[] chosen = ParseIndexes(parse.GetValue(indexes)!, testSet.Count);
            Write(console.Out, loaded, testSet, chosen);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int[] ParseIndexes(string[] texts, int count)
    {
        var chosen = new int[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            if (!int.TryParse(texts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
            {
                throw new CommandException($"'{texts[i]}' is not an image index: expected a whole number from 0 to {count - 1}.");
            }

            if (index < 0 || index >= count)
            {
                throw new CommandException($"image index {index} is out of range: the test set has {count} images (0 to {count - 1}).");
            }

            chosen[i] = index;
        }

        return chosen;
    }

    private static void Write(TextWriter output, LoadedCheckpoint loaded, Cifar10 testSet, int[] chosen)
    {
        var loader = new DataLoader(new DatasetSubset(testSet, chosen), chosen.Length, transform: new ToTensor());
        loader.TryNext(out Tensor? images, out IndexTensor? labels);
        Tensor probabilities;
        using (GradMode.NoGrad())
        {
            probabilities = new Softmax(1).Forward(loaded.Model.Forward(images!));
        }

        int nameWidth = "predicted".Length;
        foreach (string name in testSet.Classes)
        {
            nameWidth = Math.Max(nameWidth, name.Length);
        }

        output.WriteLine(loaded.Description);
        output.WriteLine($"{"index",5}  {"predicted".PadRight(nameWidth)}  {"probability",11}  {"true label".PadRight(nameWidth)}  result");
        int classes = Cifar10Cnn.Classes;
        int correct = 0;
        for (int row = 0; row < chosen.Length; row++)
        {
            ReadOnlySpan<float> p = probabilities.Span.Slice(row * classes, classes);
            int predicted = Predictions.ArgMax(p);
            int label = (int)labels!.Span[row];
            correct += predicted == label ? 1 : 0;
            output.WriteLine(
                $"{Figures.Count(chosen[row]),5}  {testSet.Classes[predicted].PadRight(nameWidth)}  {Figures.Percent(p[predicted]),11}  " +
                $"{testSet.Classes[label].PadRight(nameWidth)}  {(predicted == label ? "correct" : "wrong")}");
        }

        output.WriteLine($"{Figures.Count(correct)} of {Figures.Count(chosen.Length)} correct");
    }
}
