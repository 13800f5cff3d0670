namespace FastLoss.Cli.Tests.Support;

/// <summary>
/// Tests that train run one at a time: they share the compute pool and the machine's cores, and timing-free
/// results do not need parallel runs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingRuns
{
    public const string Name = "training runs";
}
