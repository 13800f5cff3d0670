using FastLoss.Autograd;
using FastLoss.Cli.Tests.Support;
using FastLoss.NN;
using FastLoss.OnnxTests.Support;
using FastLoss.Serialization;

namespace FastLoss.OnnxTests;

/// <summary>
/// <c>fastloss export</c> turns a checkpoint into a model ONNX Runtime runs with the checkpoint's logits; bad
/// input is one line on the error output (exit code 2 for the command line, 1 for a file it cannot use) and no
/// model file.
/// </summary>
[Collection(TrainedSeedCnnGroup.Name)]
public sealed class ExportCommandTests(TrainedSeedCnn trained)
{
    [Fact]
    public void Export_writes_a_model_that_gives_the_checkpoints_logits_in_ONNX_Runtime()
    {
        string folder = trained.NewFolder();
        string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
        SafeTensors.Save(checkpoint, trained.Model.StateDict());
        string onnx = Path.Combine(folder, "models", "cnn.onnx");

        CliResult result = CliRun.Run("export", "--checkpoint", checkpoint, "--onnx", onnx);

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}: {result.Error}");
        Assert.Equal("", result.Error);
        Assert.Contains($"checkpoint: {checkpoint} (no training state recorded)", result.Output, StringComparison.Ordinal);
        Assert.Contains($"wrote {onnx}: ONNX opset 17, input 'input' (batch, 3, 32, 32)", result.Output, StringComparison.Ordinal);
        Assert.Equal(["cnn.onnx"], Directory.GetFiles(Path.GetDirectoryName(onnx)!).Select(Path.GetFileName));

        Sequential loaded = Cifar10Cnn.Create(new Generator(0));
        loaded.LoadStateDict(checkpoint);
        Tensor images = CifarImages.FirstTestImages(7);
        Tensor expected;
        using (GradMode.NoGrad())
        {
            expected = loaded.Forward(images).Clone();
        }

        using var runtime = new OnnxRuntimeModel(onnx);
        LogitAgreement.AssertAgree(expected, runtime.Run(images));
    }

    [Fact]
    public void Bad_command_lines_are_one_line_and_exit_code_2()
    {
        string folder = trained.NewFolder();
        CliResult missing = CliRun.Run("export", "--checkpoint", Path.Combine(folder, "c.safetensors"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("fastloss: Option '--onnx' is required. Run 'fastloss export --help' for usage.", Assert.Single(missing.ErrorLines));

        CliResult empty = CliRun.Run("export", "--checkpoint", Path.Combine(folder, "c.safetensors"), "--onnx", "");
        Assert.Equal(2, empty.ExitCode);
        Assert.Equal("fastloss: --onnx must name a file, got ''. Run 'fastloss export --help' for usage.", Assert.Single(empty.ErrorLines));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void Missing_checkpoint_is_one_line_exit_code_1_and_no_model()
    {
        string folder = trained.NewFolder();
        string checkpoint = Path.Combine(folder, "absent.safetensors");
        CliResult result = CliRun.Run("export", "--checkpoint", checkpoint, "--onnx", Path.Combine(folder, "cnn.onnx"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"fastloss export: checkpoint not found: '{checkpoint}'.", Assert.Single(result.ErrorLines));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
