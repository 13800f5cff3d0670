using FastLoss.Cli.Commands;

// fastloss COMMAND ...: the FastLoss command-line tool.
if (args.Length > 0 && args[0] == "plot")
{
    return PlotCommand.Run(args[1..], Console.Out, Console.Error);
}

Console.Error.WriteLine(args.Length == 0 ? "fastloss: no command given." : $"fastloss: unknown command '{args[0]}'.");
Console.Error.WriteLine("commands:");
Console.Error.WriteLine("  plot    draw a loss curve from a CSV of losses to a PNG");
Console.Error.WriteLine(PlotCommand.Usage);
return 2;
