using System.CommandLine;
using FastLoss.Serialization;

namespace FastLoss.Cli.Commands;

/// <summary>
/// <c>fastloss export --checkpoint FILE --onnx FILE</c>: the checkpoint's network as an ONNX model that takes
/// batches of CIFAR-10 images (batch, 3, 32, 32) of any size and gives the logits (batch, 10).
/// </summary>
internal static class ExportCommand
{
    // One CIFAR-10 image, the seed CNN's input; the exported graph takes any batch size.
    private static readonly int[] ImageBatch = [1, 3, 32, 32];

    public static Command Create(CliConsole console)
    {
        Option<string> checkpoint = SharedOptions.Checkpoint();
        Option<string?> keyPrefix = SharedOptions.KeyPrefix();
        Option<string> onnx = new("--onnx")
        {
            Description = "The ONNX model file to write (replaced if it exists; its folder is created).",
            HelpName = "FILE",
            Required = true,
        };
        onnx.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            {
                result.AddError($"{onnx.Name} must name a file, got '{result.Tokens[0].Value}'.");
            }
        });
        var command = new Command("export", $"Write a checkpoint's network as an ONNX model (opset {Onnx.OpsetVersion}) for ONNX Runtime and other ONNX tools.")
        {
            checkpoint, keyPrefix, onnx,
        };
        command.SetAction(parse => CommandAction.Run(console, "export", () =>
        {
            LoadedCheckpoint loaded = LoadedCheckpoint.Load(parse.GetValue(checkpoint)!, parse.GetValue(keyPrefix));
            string path = Path.GetFullPath(parse.GetValue(onnx)!);
            Onnx.Export(loaded.Model, path, ImageBatch);
            console.Out.WriteLine(loaded.Description);
            console.Out.WriteLine(
                $"wrote {path}: ONNX opset {Onnx.OpsetVersion}, input '{Onnx.InputName}' ({Onnx.BatchDimension}, 3, 32, 32) pixels scaled to [0, 1] as in training, " +
                $"output '{Onnx.OutputName}' ({Onnx.BatchDimension}, {FastLoss.NN.Cifar10Cnn.Classes}) logits");
            return ExitCodes.Success;
        }));
        return command;
    }
}
