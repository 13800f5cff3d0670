using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FastLoss.Package.Tests;

/// <summary>The readmes' code, compiled and run in fresh projects that reference the package from the feed.</summary>
[Collection(PackageTestGroup.Name)]
public sealed partial class ReadmeTests(PackageWorkspace workspace)
{
    [Fact]
    public void Every_csharp_block_of_the_readmes_compiles_in_a_project_that_references_the_package()
    {
        ConsumerBuild build = workspace.Consumers;
        build.Result.Succeeded();
        foreach (string file in ReadmeProjects.Files)
        {
            var blocks = ReadmeProjects.Blocks(workspace.Repository, file);
            Assert.NotEmpty(blocks);
            foreach (CSharpBlock block in blocks)
            {
                // Each block was compiled in some project of the build: its own file, or the same code from an earlier readme.
                bool compiled = Directory.EnumerateFiles(build.Folder, "*.cs", SearchOption.AllDirectories)
                    .Any(f => File.ReadAllText(f) == block.Code);
                Assert.True(compiled, $"{block} is in no project of the build");
            }
        }
    }

    [Fact]
    public void The_README_quick_start_prints_the_values_its_comments_state()
    {
        CSharpBlock quickStart = QuickStart("README.md");
        ProcessResult run = workspace.Consumers.Run(ReadmeProjects.ProjectOf(quickStart));

        // Each Console.WriteLine line of the block ends with a comment stating what it prints.
        var stated = quickStart.Code.Split('\n')
            .Where(l => l.Contains("Console.WriteLine(", StringComparison.Ordinal))
            .Select(l => l[(l.LastIndexOf("//", StringComparison.Ordinal) + 2)..].Trim())
            .ToList();
        var printed = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(stated.Count == printed.Length, $"{stated.Count} stated values, printed:{Environment.NewLine}{run.Output}");
        for (int i = 0; i < stated.Count; i++)
        {
            AssertRoundsTo(stated[i], printed[i]);
        }
    }

    [Fact]
    public void The_package_readme_shows_the_README_quick_start()
    {
        Assert.Equal(QuickStart("README.md").Code, QuickStart("docs/package-readme.md").Code);
    }

    [Fact]
    public void FastLoss_is_restored_from_the_local_feed_as_packed()
    {
        workspace.Consumers.Result.Succeeded();
        string restored = Path.Combine(workspace.PackagesFolder, "fastloss", workspace.Library.Version, ".nupkg.metadata");
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(restored));
        Assert.Equal(workspace.Feed, metadata.RootElement.GetProperty("source").GetString());
        string packedHash = Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(workspace.Library.Path)));
        Assert.Equal(packedHash, metadata.RootElement.GetProperty("contentHash").GetString());
    }

    private CSharpBlock QuickStart(string file) =>
        ReadmeProjects.Blocks(workspace.Repository, file).First(b => b.Heading.StartsWith("Quick start", StringComparison.Ordinal));

    /// <summary>The printed line is the stated one with each number rounded to the digits stated.</summary>
    private static void AssertRoundsTo(string stated, string printed)
    {
        string message = $"stated '{stated}', printed '{printed}'";
        Assert.True(Number().Replace(stated, "#") == Number().Replace(printed, "#"), message);
        var statedNumbers = Number().Matches(stated);
        var printedNumbers = Number().Matches(printed);
        for (int i = 0; i < statedNumbers.Count; i++)
        {
            int point = statedNumbers[i].Value.IndexOf('.', StringComparison.Ordinal);
            int digits = point < 0 ? 0 : statedNumbers[i].Value.Length - point - 1;
            double value = double.Parse(printedNumbers[i].Value, CultureInfo.InvariantCulture);
            Assert.True(Math.Round(value, digits, MidpointRounding.AwayFromZero) == double.Parse(statedNumbers[i].Value, CultureInfo.InvariantCulture), message);
        }
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?(E[-+]?\d+)?", RegexOptions.IgnoreCase)]
    private static partial Regex Number();
}
