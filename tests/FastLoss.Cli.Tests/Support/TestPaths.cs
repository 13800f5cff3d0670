namespace FastLoss.Cli.Tests.Support;

/// <summary>Where the tests find CIFAR-10, and scratch folders.</summary>
internal static class TestPaths
{
    /// <summary>
    /// The folder that holds cifar-10-batches-bin: FASTLOSS_CIFAR10_DIR when set, otherwise ../shared/data beside
    /// the repository (the folder with FastLoss.sln, found by walking up from the test assembly). The tests need the
    /// real data: they fail, never skip, when it is absent.
    /// </summary>
    public static string Cifar10Root { get; } = FindCifar10Root();

    /// <summary>A new empty folder under the temporary folder.</summary>
    public static string NewScratchFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "fastloss-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string FindCifar10Root()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("FASTLOSS_CIFAR10_DIR");
        string root;
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            root = Path.GetFullPath(fromEnvironment);
        }
        else
        {
            DirectoryInfo? folder = new(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "FastLoss.sln")))
            {
                folder = folder.Parent;
            }

            Assert.True(folder is not null, $"FastLoss.sln not found above {AppContext.BaseDirectory}; set FASTLOSS_CIFAR10_DIR to the CIFAR-10 folder.");
            root = Path.GetFullPath(Path.Combine(folder!.FullName, "..", "shared", "data"));
        }

        string batches = Path.Combine(root, "cifar-10-batches-bin");
        Assert.True(
            File.Exists(Path.Combine(batches, "data_batch_1.bin")) && File.Exists(Path.Combine(batches, "test_batch.bin")),
            $"CIFAR-10 not found: expected {batches}/data_batch_1.bin and test_batch.bin (set FASTLOSS_CIFAR10_DIR to the folder holding cifar-10-batches-bin).");
        return root;
    }
}
