using FastLoss.Cli.Checkpoints;
using FastLoss.Cli.Tests.Support;
using FastLoss.Cli.Training;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Serialization;

namespace FastLoss.Cli.Tests.Commands;

/// <summary>
/// <c>train --resume</c> and interruption. A run resumed after an epoch, or after Ctrl+C in the middle of one,
/// continues the step and epoch counters, the momentum buffers and the shuffle order, and so ends with exactly the
/// network, optimizer state and loss history (bit for bit) of the same run made in one go. The runs are tiny
/// (5 batches of 64 images, 100 test images) because they test bookkeeping, not learning.
/// </summary>
[Collection(TrainingRuns.Name)]
public sealed class ResumeTests : IClassFixture<ResumeTests.StraightRun>, IDisposable
{
    private static readonly string[] Options =
        ["--data", TestPaths.Cifar10Root, "--no-download", "--limit-train", "320", "--limit-test", "100", "--momentum", "0.9", "--seed", "3", "--log-interval", "2"];

    private readonly StraightRun _straight;
    private readonly string _out = TestPaths.NewScratchFolder();

    public ResumeTests(StraightRun straight) => _straight = straight;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    /// <summary>The reference: 2 epochs in one invocation.</summary>
    public sealed class StraightRun : IDisposable
    {
        public StraightRun()
        {
            Folder = TestPaths.NewScratchFolder();
            Result = CliRun.Run([.. (string[])["train", "--epochs", "2", "--out", Folder], .. Options]);
        }

        public string Folder { get; }

        internal CliResult Result { get; }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    [Fact]
    public void Resuming_after_an_epoch_continues_counters_momentum_and_history()
    {
        Assert.True(_straight.Result.ExitCode == 0, _straight.Result.Error);
        CliResult first = CliRun.Run([.. (string[])["train", "--epochs", "1", "--out", _out], .. Options]);
        Assert.True(first.ExitCode == 0, first.Error);
        string checkpoint = Path.Combine(_out, "checkpoint.safetensors");
        SafeTensorsContent afterOne = SafeTensors.Load(checkpoint);
        Assert.Equal(("1", "5", "0"), (afterOne.Metadata["epoch"], afterOne.Metadata["step"], afterOne.Metadata["batch_in_epoch"]));
        AssertMomentumBuffersRestored(checkpoint);

        // Resume with no other option: the output folder, lr, momentum, batch size and seed come from the checkpoint.
        CliResult resumed = CliRun.Run("train", "--resume", checkpoint, "--epochs", "2", "--data", TestPaths.Cifar10Root, "--no-download", "--limit-test", "100");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains(
            $"resuming from {checkpoint} (its newest complete checkpoint, {Path.Combine(_out, "checkpoints", "step-0000000005")}): 1 epoch(s) done, step 5",
            resumed.Output, StringComparison.Ordinal);
        Assert.Contains("epoch 2/2  batch 2/5  step 7  running loss", resumed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 1/2", resumed.Output, StringComparison.Ordinal);
        Assert.Equal(EpochLine(_straight.Result.Output, 2), EpochLine(resumed.Output, 2));
        AssertSameAsStraightRun();

        // Each invocation wrote its own event file; together they hold steps 1..10 once each.
        long[] steps = [.. Directory.GetFiles(Path.Combine(_out, "tensorboard"))
            .SelectMany(EventFile.ReadScalars).Where(s => s.Tag == "train/loss").Select(s => s.Step).Order()];
        Assert.Equal(Enumerable.Range(1, 10).Select(s => (long)s), steps);
    }

    [Fact]
    public void Cancellation_mid_epoch_writes_a_loadable_checkpoint_that_resumes_to_the_same_run()
    {
        Assert.True(_straight.Result.ExitCode == 0, _straight.Result.Error);
        using var cancellation = new CancellationTokenSource();
        // Ctrl+C arrives while batch 2 of epoch 1 is reported: training stops after that batch.
        using var output = new CancellingWriter("epoch 1/2  batch 2/5", cancellation);
        CliResult interrupted = CliRun.Run(output, cancellation.Token, [.. (string[])["train", "--epochs", "2", "--out", _out], .. Options]);

        Assert.Equal(130, interrupted.ExitCode);
        Assert.Equal("", interrupted.Error);
        string checkpoint = Path.Combine(_out, "checkpoint.safetensors");
        Assert.Contains(
            $"interrupted: stopped after batch 2/5 of epoch 1 (step 2); checkpoint written to {checkpoint}", interrupted.Output, StringComparison.Ordinal);
        string resumeLine = Assert.Single(interrupted.Output.Split('\n'), line => line.StartsWith("continue with: ", StringComparison.Ordinal));
        Assert.Contains($" train --resume {checkpoint} --data {TestPaths.Cifar10Root} --epochs 2 --no-download --limit-test 100", resumeLine, StringComparison.Ordinal);
        Assert.DoesNotContain("batch 3/5", interrupted.Output, StringComparison.Ordinal);
        SafeTensorsContent saved = SafeTensors.Load(checkpoint);
        Assert.Equal(("0", "2", "2"), (saved.Metadata["epoch"], saved.Metadata["batch_in_epoch"], saved.Metadata["step"]));
        Assert.Equal(10, saved.Tensors.Count);
        Assert.True(File.Exists(CheckpointStore.Locate(checkpoint).Optimizer));
        Assert.True(File.Exists(Path.Combine(_out, "losses.csv")));

        // The interrupted checkpoint is a complete network: evaluate loads and runs it.
        CliResult evaluate = CliRun.Run("evaluate", "--checkpoint", checkpoint, "--data", TestPaths.Cifar10Root, "--no-download", "--limit-test", "100");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("(epoch 0 and 2 batches, step 2,", evaluate.Output, StringComparison.Ordinal);

        // The printed command, run by a shell as a user would paste it.
        CliResult resumed = RunInShell(resumeLine["continue with: ".Length..]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("epoch 1/2: 5 batches, resuming after batch 2", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("epoch 1/2  batch 4/5  step 4  running loss", resumed.Output, StringComparison.Ordinal);
        // The epoch's mean loss counts the batches done before the interruption too.
        Assert.Equal(EpochLine(_straight.Result.Output, 1), EpochLine(resumed.Output, 1));
        Assert.Equal(EpochLine(_straight.Result.Output, 2), EpochLine(resumed.Output, 2));
        AssertSameAsStraightRun();
    }

    private static CliResult RunInShell(string command)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"'{command}' did not finish");
        return new CliResult(process.ExitCode, output, error.Result);
    }

    /// <summary>Network, momentum buffers, metadata counters and loss history equal the straight run's, bit for bit.</summary>
    private void AssertSameAsStraightRun()
    {
        CheckpointFiles straight = CheckpointStore.Locate(Path.Combine(_straight.Folder, "checkpoint.safetensors"));
        CheckpointFiles resumed = CheckpointStore.Locate(Path.Combine(_out, "checkpoint.safetensors"));
        foreach ((string file, string expectedPath, string actualPath) in (ValueTuple<string, string, string>[])
            [("checkpoint", straight.Model, resumed.Model), ("optimizer", straight.Optimizer, resumed.Optimizer), ("copy", Path.Combine(_straight.Folder, "checkpoint.safetensors"), Path.Combine(_out, "checkpoint.safetensors"))])
        {
            SafeTensorsContent expected = SafeTensors.Load(expectedPath);
            SafeTensorsContent actual = SafeTensors.Load(actualPath);
            Assert.Equal(expected.Tensors.Keys.Order(StringComparer.Ordinal), actual.Tensors.Keys.Order(StringComparer.Ordinal));
            foreach ((string name, Tensor tensor) in expected.Tensors)
            {
                Assert.True(tensor.ToArray().AsSpan().SequenceEqual(actual.Tensors[name].ToArray()), $"{file}: {name} differs from the straight run");
            }

            foreach (string key in (string[])["epoch", "batch_in_epoch", "step", "lr", "momentum", "seed", "batch_size", "test_loss", "test_accuracy"])
            {
                Assert.Equal(expected.Metadata[key], actual.Metadata[key]);
            }
        }

        Assert.Equal(File.ReadAllText(Path.Combine(_straight.Folder, "losses.csv")), File.ReadAllText(Path.Combine(_out, "losses.csv")));
        Assert.Equal(File.ReadAllText(straight.History), File.ReadAllText(resumed.History));
    }

    /// <summary>Loading the optimizer file into a fresh SGD gives back the saved buffers exactly.</summary>
    private static void AssertMomentumBuffersRestored(string checkpoint)
    {
        Sequential model = Cifar10Cnn.Create(new Generator(99));
        var optimizer = new SGD(model.Parameters(), lr: 0.01f, momentum: 0.9f);
        CheckpointFiles files = CheckpointStore.Locate(checkpoint);
        IReadOnlyDictionary<string, string> metadata = CheckpointStore.LoadModel(files.Model, model);
        string optimizerPath = files.Optimizer;
        CheckpointStore.LoadOptimizer(optimizerPath, files.Model, model, optimizer, TrainingState.FromMetadata(files.Model, metadata));

        SafeTensorsContent saved = SafeTensors.Load(optimizerPath);
        IReadOnlyList<(string Name, Tensor Parameter)> parameters = model.NamedParameters();
        for (int i = 0; i < parameters.Count; i++)
        {
            float[] expected = saved.Tensors["optimizer.momentum_buffer." + parameters[i].Name].ToArray();
            Assert.True(optimizer.GetMomentumBuffer(i).SequenceEqual(expected), $"momentum buffer of {parameters[i].Name}");
            Assert.Contains(expected, v => v != 0f);
        }
    }

    /// <summary>An epoch's line without its timing: "epoch 1/2: train loss ..., test loss ..., accuracy ...% (n/100)".</summary>
    private static string EpochLine(string output, int epoch)
    {
        string line = output.Split('\n').Single(line => line.StartsWith($"epoch {epoch}/2: train loss", StringComparison.Ordinal));
        return line[..line.LastIndexOf(", ", line.IndexOf(" images/s", StringComparison.Ordinal), StringComparison.Ordinal)];
    }

    /// <summary>Stands in for Ctrl+C: requests cancellation when a line containing the trigger is written.</summary>
    private sealed class CancellingWriter(string trigger, CancellationTokenSource cancellation) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.Contains(trigger, StringComparison.Ordinal))
            {
                cancellation.Cancel();
            }
        }
    }
}
