using System.Globalization;
using System.Text.RegularExpressions;
using FastLoss.Cli.Checkpoints;
using FastLoss.Cli.Tests.Support;
using FastLoss.Serialization;
using FastLoss.Tests.Shared;

namespace FastLoss.Cli.Tests.Commands;

/// <summary>
/// The product's main path on the real CIFAR-10 files: <c>train</c> learns clearly better than chance, leaves a
/// loadable checkpoint, optimizer state, loss curve and TensorBoard events; <c>evaluate</c> on the checkpoint gives
/// the figures training printed; <c>predict</c> names classes with their probabilities. The run is kept short
/// (first 4800 training images, 2 epochs with momentum 0.9; first 2000 test images) so the test takes well under
/// a minute on two cores (seeds 0 to 3 reach 26% to 34%); the same options without the limits train on all the data.
/// </summary>
[Collection(TrainingRuns.Name)]
public sealed partial class TrainEvaluatePredictTests : IDisposable
{
    private readonly string _out = TestPaths.NewScratchFolder();

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void Train_then_evaluate_and_predict_with_the_checkpoint()
    {
        string data = TestPaths.Cifar10Root;
        CliResult train = CliRun.Run(
            "train", "--data", data, "--no-download", "--epochs", "2", "--batch-size", "64", "--lr", "0.01", "--momentum", "0.9",
            "--seed", "0", "--limit-train", "4800", "--limit-test", "2000", "--log-interval", "10", "--out", _out);

        Assert.True(train.ExitCode == 0, $"train failed ({train.ExitCode}): {train.Error}\n{train.Output}");
        Assert.Equal("", train.Error);

        // Plain output (not a terminal): the data files used, progress lines every 10 batches, a line per epoch, the class table.
        Assert.Contains("training data: CIFAR-10 train: 10000 records from data_batch_1.bin (10000); not present: data_batch_2.bin", train.Output, StringComparison.Ordinal);
        Assert.Contains("using the first 4800 (--limit-train)", train.Output, StringComparison.Ordinal);
        Assert.Equal(16, ProgressLine().Count(train.Output)); // batches 10, 20, ..., 70 and 75 of each epoch
        MatchCollection epochs = EpochLine().Matches(train.Output);
        Assert.Equal(2, epochs.Count);
        double accuracy = double.Parse(epochs[1].Groups["accuracy"].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > 20.0, $"test accuracy {accuracy}% after 2 epochs is not clearly above chance (10%):\n{train.Output}");
        Assert.Matches(@"\ncat\s+\d+\s+\d+\s+\d+\.\d\d%\n", train.Output);
        Assert.Matches(@"\nall\s+\d+\s+2000\s+\d+\.\d\d%\n", train.Output);

        AssertCheckpoint(accuracy);
        AssertLossCurveAndEvents(epochs);

        // evaluate reproduces the last epoch's test figures exactly (same network, same batches).
        string checkpoint = Path.Combine(_out, "checkpoint.safetensors");
        CliResult evaluate = CliRun.Run("evaluate", "--checkpoint", checkpoint, "--data", data, "--no-download", "--limit-test", "2000");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        string trained = $"test loss {epochs[1].Groups["loss"].Value}, accuracy {epochs[1].Groups["accuracy"].Value}% ({epochs[1].Groups["correct"].Value}/2000)";
        Assert.Contains(trained, evaluate.Output, StringComparison.Ordinal);
        Assert.Contains("(epoch 2, step 150, lr 0.01, momentum 0.9, batch size 64, seed 0)", evaluate.Output, StringComparison.Ordinal);
        Assert.Matches(@"\nairplane\s+\d+\s+\d+\s+\d+\.\d\d%\n", evaluate.Output);

        // predict: one row per index, with the true labels of test images 0, 1 and 2 (automobile, ship, frog).
        CliResult predict = CliRun.Run("predict", "--checkpoint", checkpoint, "--data", data, "--no-download", "0", "1", "2");
        Assert.True(predict.ExitCode == 0, predict.Error);
        MatchCollection rows = PredictionRow().Matches(predict.Output);
        Assert.Equal(3, rows.Count);
        Assert.Equal(["0", "1", "2"], rows.Select(r => r.Groups["index"].Value));
        foreach (Match row in rows)
        {
            double probability = double.Parse(row.Groups["probability"].Value, CultureInfo.InvariantCulture);
            Assert.InRange(probability, 10.0, 100.0); // the largest of 10 softmax probabilities is at least 1/10
            Assert.Equal(row.Groups["predicted"].Value == row.Groups["label"].Value ? "correct" : "wrong", row.Groups["result"].Value);
        }

        Assert.Equal(new[] { "automobile", "ship", "frog" }, rows.Select(r => r.Groups["label"].Value));
    }

    private void AssertCheckpoint(double accuracy)
    {
        SafeTensorsContent model = SafeTensors.Load(Path.Combine(_out, "checkpoint.safetensors"));
        string[] names = ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight", "7.bias", "7.weight", "8.bias", "8.weight"];
        Assert.Equal(names, model.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("torch.Size([32, 3, 5, 5])", model.Tensors["0.weight"].ShapeText);
        Assert.Equal("torch.Size([64, 1024])", model.Tensors["7.weight"].ShapeText);
        Assert.Equal("torch.Size([10])", model.Tensors["8.bias"].ShapeText);
        Assert.Equal("2", model.Metadata["epoch"]);
        Assert.Equal("0", model.Metadata["batch_in_epoch"]);
        Assert.Equal("150", model.Metadata["step"]);
        Assert.Equal("0.01", model.Metadata["lr"]);
        Assert.Equal("0.9", model.Metadata["momentum"]);
        Assert.Equal("0", model.Metadata["seed"]);
        Assert.Equal("64", model.Metadata["batch_size"]);
        Assert.Equal(accuracy / 100, double.Parse(model.Metadata["test_accuracy"], CultureInfo.InvariantCulture), 1e-12);

        SafeTensorsContent optimizer = SafeTensors.Load(CheckpointStore.Locate(Path.Combine(_out, "checkpoint.safetensors")).Optimizer);
        Assert.Equal(names.Select(n => "optimizer.momentum_buffer." + n), optimizer.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (string name in names)
        {
            Assert.Equal(model.Tensors[name].ShapeText, optimizer.Tensors["optimizer.momentum_buffer." + name].ShapeText);
            Assert.Contains(optimizer.Tensors["optimizer.momentum_buffer." + name].ToArray(), v => v != 0f);
        }

        Assert.Equal("150", optimizer.Metadata["step"]);
    }

    private void AssertLossCurveAndEvents(MatchCollection epochs)
    {
        Assert.Equal((900, 560), PngHeader.Read(Path.Combine(_out, "loss-curve.png")));
        string[] csv = File.ReadAllLines(Path.Combine(_out, "losses.csv"));
        Assert.Equal("epoch,train (running),train (epoch mean),test", csv[0]);
        Assert.Equal(16 + 2 + 2, csv.Length - 1); // 8 running-loss points per epoch, then 2 epoch means, 2 test losses

        string[] eventFiles = Directory.GetFiles(Path.Combine(_out, "tensorboard"), "events.out.tfevents.*");
        Assert.Single(eventFiles);
        List<ScalarEvent> scalars = EventFile.ReadScalars(eventFiles[0]);
        List<ScalarEvent> trainLoss = scalars.Where(s => s.Tag == "train/loss").ToList();
        Assert.Equal(Enumerable.Range(1, 150).Select(s => (long)s), trainLoss.Select(s => s.Step));
        Assert.All(trainLoss, s => Assert.InRange(s.Value, 0.5f, 3.5f));
        List<ScalarEvent> testAccuracy = scalars.Where(s => s.Tag == "test/accuracy").ToList();
        Assert.Equal([1L, 2L], testAccuracy.Select(s => s.Step));
        Assert.Equal(double.Parse(epochs[1].Groups["accuracy"].Value, CultureInfo.InvariantCulture) / 100, testAccuracy[1].Value, 1e-4);
        List<ScalarEvent> testLoss = scalars.Where(s => s.Tag == "test/loss").ToList();
        Assert.Equal(double.Parse(epochs[1].Groups["loss"].Value, CultureInfo.InvariantCulture), testLoss[1].Value, 1e-4);
    }

    [GeneratedRegex(@"^epoch [12]/2  batch +\d+/75  step \d+  running loss \d+\.\d{4}  \d+ images/s$", RegexOptions.Multiline)]
    private static partial Regex ProgressLine();

    [GeneratedRegex(
        @"^epoch (?<epoch>\d)/2: train loss \d+\.\d{4}, test loss (?<loss>\d+\.\d{4}), accuracy (?<accuracy>\d+\.\d\d)% \((?<correct>\d+)/2000\), \d+ images/s, \d+\.\d s$",
        RegexOptions.Multiline)]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"^ +(?<index>\d+)  (?<predicted>[a-z]+) +(?<probability>\d+\.\d\d)%  (?<label>[a-z]+) +(?<result>correct|wrong)$", RegexOptions.Multiline)]
    private static partial Regex PredictionRow();
}
