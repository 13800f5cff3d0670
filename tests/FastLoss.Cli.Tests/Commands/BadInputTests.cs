using FastLoss.Cli.Tests.Support;
using FastLoss.Cli.Training;
using FastLoss.NN;
using FastLoss.Serialization;

namespace FastLoss.Cli.Tests.Commands;

/// <summary>
/// Bad input gets one line on the error output that names the file or value and the problem, a non-zero exit
/// code, no stack trace, and no output written: missing, corrupt, truncated or mismatched checkpoints, bad image
/// indexes, missing data without download, and bad options.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _folder = TestPaths.NewScratchFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Data => TestPaths.Cifar10Root;

    /// <summary>Asserts exit code 1 and a single "fastloss COMMAND: ..." error line containing <paramref name="expected"/>.</summary>
    private static void AssertFailsWith(CliResult result, string command, string expected)
    {
        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}; error: {result.Error}");
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"fastloss {command}: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at FastLoss", result.Error, StringComparison.Ordinal);
    }

    /// <summary>A checkpoint of an untrained network, as train writes one (no optimizer file).</summary>
    private string FreshCheckpoint()
    {
        string path = Path.Combine(_folder, "fresh.safetensors");
        SafeTensors.Save(path, Cifar10Cnn.Create(new Generator(1)).StateDict());
        return path;
    }

    [Fact]
    public void Missing_checkpoint()
    {
        string path = Path.Combine(_folder, "absent.safetensors");
        AssertFailsWith(CliRun.Run("evaluate", "--checkpoint", path, "--data", Data), "evaluate", $"checkpoint not found: '{path}'.");
        AssertFailsWith(CliRun.Run("predict", "--checkpoint", path, "--data", Data, "0"), "predict", $"checkpoint not found: '{path}'.");
    }

    [Fact]
    public void Corrupt_and_truncated_checkpoints()
    {
        string garbage = Path.Combine(_folder, "garbage.safetensors");
        File.WriteAllText(garbage, "this is not a checkpoint at all");
        AssertFailsWith(CliRun.Run("evaluate", "--checkpoint", garbage, "--data", Data), "evaluate", $"'{garbage}' is not a valid safetensors file:");

        byte[] whole = File.ReadAllBytes(FreshCheckpoint());
        string truncated = Path.Combine(_folder, "truncated.safetensors");
        File.WriteAllBytes(truncated, whole[..(whole.Length / 2)]);
        AssertFailsWith(CliRun.Run("evaluate", "--checkpoint", truncated, "--data", Data), "evaluate", $"'{truncated}' is not a valid safetensors file:");
    }

    [Fact]
    public void Checkpoint_whose_shapes_or_names_do_not_fit_the_network()
    {
        Dictionary<string, Tensor> state = Cifar10Cnn.Create(new Generator(1)).StateDict();
        state["0.weight"] = Tensor.Zeros(16, 3, 5, 5);
        string shapes = Path.Combine(_folder, "shapes.safetensors");
        SafeTensors.Save(shapes, state);
        AssertFailsWith(
            CliRun.Run("evaluate", "--checkpoint", shapes, "--data", Data), "evaluate",
            "size mismatch for 0.weight: copying a param with shape torch.Size([16, 3, 5, 5]) from checkpoint, the shape in current model is torch.Size([32, 3, 5, 5]).");

        state = Cifar10Cnn.Create(new Generator(1)).StateDict();
        state.Remove("8.bias");
        state["model1.8.bias"] = Tensor.Zeros(10);
        string names = Path.Combine(_folder, "names.safetensors");
        SafeTensors.Save(names, state);
        AssertFailsWith(
            CliRun.Run("predict", "--checkpoint", names, "--data", Data, "0"), "predict",
            $"Error(s) in loading state_dict from '{names}': Missing key(s) in state_dict: \"8.bias\". Unexpected key(s) in state_dict: \"model1.8.bias\".");
    }

    [Fact]
    public void Bad_image_indexes()
    {
        string checkpoint = FreshCheckpoint();
        AssertFailsWith(CliRun.Run("predict", "--checkpoint", checkpoint, "--data", Data, "3", "10000"), "predict",
            "image index 10000 is out of range: the test set has 10000 images (0 to 9999).");
        AssertFailsWith(CliRun.Run("predict", "--checkpoint", checkpoint, "--data", Data, "-1"), "predict",
            "image index -1 is out of range: the test set has 10000 images (0 to 9999).");
        AssertFailsWith(CliRun.Run("predict", "--checkpoint", checkpoint, "--data", Data, "abc"), "predict",
            "'abc' is not an image index: expected a whole number from 0 to 9999.");
    }

    [Fact]
    public void The_folder_of_the_batch_files_is_accepted_as_data()
    {
        // ../shared/data/cifar-10-batches-bin itself, not the folder that holds it.
        string batches = Path.Combine(TestPaths.Cifar10Root, "cifar-10-batches-bin");
        CliResult result = CliRun.Run("evaluate", "--checkpoint", FreshCheckpoint(), "--data", batches, "--no-download", "--limit-test", "20");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("test loss", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_evaluation_batch_far_larger_than_the_test_set_is_cut_to_it()
    {
        CliResult result = CliRun.Run("evaluate", "--checkpoint", FreshCheckpoint(), "--data", Data, "--no-download", "--limit-test", "10", "--batch-size", "2000000000");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("using the first 10", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"accuracy [0-9.]+% \(\d+\/10\)", result.Output);
    }

    [Fact]
    public void Missing_data_without_download()
    {
        string empty = Path.Combine(_folder, "no-data");
        Directory.CreateDirectory(empty);
        AssertFailsWith(
            CliRun.Run("evaluate", "--checkpoint", FreshCheckpoint(), "--data", empty, "--no-download"), "evaluate",
            $"CIFAR-10 test data not found: looked for test_batch.bin in the folders '{Path.Combine(empty, "cifar-10-batches-bin")}' and '{empty}', and for the archive '{Path.Combine(empty, "cifar-10-binary.tar.gz")}'");

        string output = Path.Combine(_folder, "run");
        AssertFailsWith(
            CliRun.Run("train", "--data", empty, "--no-download", "--out", output), "train", "CIFAR-10 training data not found");
        Assert.False(Directory.Exists(output), "nothing may be written when the data is missing");
    }

    [Fact]
    public void Resume_problems_are_found_before_anything_is_written()
    {
        string output = Path.Combine(_folder, "run");
        string absent = Path.Combine(_folder, "absent.safetensors");
        AssertFailsWith(CliRun.Run("train", "--resume", absent, "--data", Data, "--out", output), "train", $"checkpoint not found: '{absent}'.");

        // A network file without the training state (e.g. saved from PyTorch) can be evaluated but not resumed.
        string fresh = FreshCheckpoint();
        AssertFailsWith(CliRun.Run("train", "--resume", fresh, "--data", Data, "--out", output), "train",
            $"'{fresh}' has no training state in its metadata (no 'format' entry): it was not written by 'fastloss train', so it cannot be resumed.");

        // A training checkpoint without its optimizer file beside it.
        var state = new FastLoss.Cli.Checkpoints.TrainingState { Epoch = 1, Step = 156, Lr = 0.01f, Momentum = 0.9f, BatchSize = 64 };
        string lonely = Path.Combine(_folder, "alone", "checkpoint.safetensors");
        SafeTensors.Save(lonely, Cifar10Cnn.Create(new Generator(1)).StateDict(), state.ToMetadata());
        AssertFailsWith(CliRun.Run("train", "--resume", lonely, "--data", Data, "--no-download", "--out", output), "train",
            $"optimizer state not found: '{Path.Combine(_folder, "alone", "optimizer.safetensors")}'.");

        AssertFailsWith(CliRun.Run("train", "--resume", lonely, "--batch-size", "32", "--data", Data, "--out", output), "train",
            "--batch-size 32 differs from the checkpoint's 64: a resumed run keeps the batch size and seed of the run it continues.");
        Assert.False(Directory.Exists(output), "nothing may be written for a refused resume");
    }

    /// <summary>
    /// Every option value that does not parse or is out of range: one line naming the option, the value and what is
    /// accepted, then where the usage is, exit code 2, nothing else printed (no stack trace, no "internal error").
    /// </summary>
    [Theory]
    [InlineData("fastloss: --epochs must be a whole number, 1 or more, got '0'.", "train", "--epochs", "0")]
    [InlineData("fastloss: --epochs must be a whole number, 1 or more, got 'ten'.", "train", "--epochs", "ten")]
    [InlineData("fastloss: --epochs must be a whole number, 1 or more, got '99999999999'.", "train", "--epochs", "99999999999")]
    [InlineData("fastloss: --threads must be a whole number from 1 to 256, got '0'.", "train", "--threads", "0")]
    [InlineData("fastloss: --threads must be a whole number from 1 to 256, got '100000'.", "train", "--threads", "100000")]
    [InlineData("fastloss: --lr must be a finite number, 0 or more, got '-1'.", "train", "--lr", "-1")]
    [InlineData("fastloss: --lr must be a finite number, 0 or more, got 'abc'.", "train", "--lr", "abc")]
    [InlineData("fastloss: --lr must be a finite number, 0 or more, got 'NaN'.", "train", "--lr", "NaN")]
    [InlineData("fastloss: --lr must be a finite number, 0 or more, got 'Infinity'.", "train", "--lr", "Infinity")]
    [InlineData("fastloss: --momentum must be a finite number, 0 or more, got ''.", "train", "--momentum", "")]
    [InlineData("fastloss: --seed must be a whole number that fits in 32 bits, got '1.5'.", "train", "--seed", "1.5")]
    [InlineData("fastloss: --batch-size must be a whole number, 1 or more, got '-64'.", "train", "--batch-size", "-64")]
    [InlineData("fastloss: --log-interval must be a whole number, 1 or more, got 'x'.", "train", "--log-interval", "x")]
    [InlineData("fastloss: --limit-test must be a whole number, 1 or more, got '0'.", "evaluate", "--checkpoint", "c.safetensors", "--limit-test", "0")]
    [InlineData("fastloss: --batch-size must be a whole number, 1 or more, got '0'.", "evaluate", "--checkpoint", "c.safetensors", "--batch-size", "0")]
    [InlineData("fastloss: Unrecognized command or argument '--colour'; Unrecognized command or argument 'red'.", "train", "--colour", "red")]
    [InlineData("fastloss: Option '--checkpoint' is required.", "evaluate")]
    [InlineData("fastloss: Required command was not provided; Unrecognized command or argument 'fit'.", "fit")]
    public void Bad_command_lines_exit_with_2_and_point_to_help(string message, params string[] args)
    {
        CliResult result = CliRun.Run(args);

        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith(message, line, StringComparison.Ordinal);
        Assert.Matches(@" Run 'fastloss( \w+)? --help' for usage\.$", line);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void Help_lists_the_commands_and_options()
    {
        CliResult root = CliRun.Run("--help");
        CliResult train = CliRun.Run("train", "--help");

        Assert.Equal(0, root.ExitCode);
        foreach (string command in (string[])["train", "evaluate", "predict", "plot", "export"])
        {
            Assert.Contains(command, root.Output, StringComparison.Ordinal);
        }

        Assert.Equal(0, train.ExitCode);
        foreach (string option in (string[])["--data", "--epochs", "--batch-size", "--lr", "--momentum", "--seed", "--threads", "--out", "--resume", "--limit-train"])
        {
            Assert.Contains(option, train.Output, StringComparison.Ordinal);
        }
    }
}
