using FastLoss.Cli;

// fastloss COMMAND ...: train, evaluate, predict, plot. Ctrl+C or SIGTERM stops training cleanly after the current batch.
using var signals = new ShutdownSignals(Console.Error);
return CliApplication.Run(args, CliConsole.ForProcess(), signals.Token);
