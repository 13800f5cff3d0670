namespace FastLoss.Tests.Shared;

/// <summary>
/// Where the test projects find the real CIFAR-10 subset: FASTLOSS_CIFAR10_DIR when set (either the
/// cifar-10-batches-bin folder or the folder that holds it), otherwise ../shared/data beside the repository (the
/// folder with FastLoss.sln, found by walking up from the test assembly). Tests fail, never skip, when it is absent.
/// Linked into each test project that reads the data.
/// </summary>
internal static class Cifar10Location
{
    public const string EnvironmentVariable = "FASTLOSS_CIFAR10_DIR";

    private static readonly Lazy<string> s_batches = new(Locate);

    /// <summary>The cifar-10-batches-bin folder holding test_batch.bin and data_batch_1.bin.</summary>
    public static string BatchesFolder => s_batches.Value;

    /// <summary>A root in torchvision's sense: the parent of cifar-10-batches-bin.</summary>
    public static string Root => Path.GetDirectoryName(BatchesFolder)!;

    private static string Locate()
    {
        var looked = new List<string>();
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            string full = Path.GetFullPath(fromEnvironment);
            foreach (string candidate in new[] { full, Path.Combine(full, "cifar-10-batches-bin") })
            {
                if (HasData(candidate))
                {
                    return candidate;
                }

                looked.Add($"{candidate} (from {EnvironmentVariable})");
            }
        }

        DirectoryInfo? repository = RepositoryFolder.Find();
        if (repository is null)
        {
            looked.Add($"no folder holding FastLoss.sln above {AppContext.BaseDirectory}");
        }
        else
        {
            string candidate = Path.GetFullPath(Path.Combine(repository.FullName, "..", "shared", "data", "cifar-10-batches-bin"));
            if (HasData(candidate))
            {
                return candidate;
            }

            looked.Add(candidate);
        }

        Assert.Fail(
            "The CIFAR-10 test data (test_batch.bin and data_batch_1.bin) was not found. Looked in: " +
            string.Join("; ", looked) + $". Set {EnvironmentVariable} to the cifar-10-batches-bin folder or its parent.");
        throw new InvalidOperationException("unreachable");
    }

    private static bool HasData(string folder) =>
        File.Exists(Path.Combine(folder, "test_batch.bin")) && File.Exists(Path.Combine(folder, "data_batch_1.bin"));
}
