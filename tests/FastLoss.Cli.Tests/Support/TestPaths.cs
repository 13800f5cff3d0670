namespace FastLoss.Cli.Tests.Support;

/// <summary>Where the tests find CIFAR-10, and scratch folders.</summary>
internal static class TestPaths
{
    /// <summary>The folder that holds cifar-10-batches-bin (see <see cref="FastLoss.Tests.Shared.Cifar10Location"/>).</summary>
    public static string Cifar10Root => FastLoss.Tests.Shared.Cifar10Location.Root;

    /// <summary>A new empty folder under the temporary folder.</summary>
    public static string NewScratchFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "fastloss-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
