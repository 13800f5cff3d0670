namespace FastLoss.Cli.Reporting;

/// <summary>What a training run is about to do, printed before the first batch.</summary>
/// <param name="Lines">Lines such as the data files read, the network, the settings and the output folder.</param>
internal sealed record RunDescription(IReadOnlyList<string> Lines);
