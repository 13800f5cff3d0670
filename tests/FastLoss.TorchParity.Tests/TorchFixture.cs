using TorchSharp;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// Loads libtorch once for the parity tests and makes its results repeatable: libtorch's reductions
/// depend slightly on the number of intra-op threads, so the references are computed on one.
/// </summary>
public sealed class TorchFixture
{
    public TorchFixture()
    {
        torch.set_num_threads(1);
    }
}

/// <summary>The parity tests share one libtorch setup and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class TorchOracle : ICollectionFixture<TorchFixture>
{
    public const string Name = "libtorch oracle";
}
