namespace FastLoss.Tests.Shared;

/// <summary>The repository's folder (the one with FastLoss.sln), found by walking up from the test assembly.</summary>
internal static class RepositoryFolder
{
    /// <summary>The folder, or null when no folder above the test assembly holds FastLoss.sln.</summary>
    public static DirectoryInfo? Find()
    {
        DirectoryInfo? folder = new(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "FastLoss.sln")))
        {
            folder = folder.Parent;
        }

        return folder;
    }
}
