using System.Reflection;
using System.Xml.Linq;
using FastLoss.Tests.Shared;

namespace FastLoss.Package.Tests;

/// <summary>The tests that share one <see cref="PackageWorkspace"/>, one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class PackageTestGroup : ICollectionFixture<PackageWorkspace>
{
    public const string Name = "packages";
}

/// <summary>
/// A temporary folder where FastLoss and the fastloss tool are packed into a local feed (from the repository's build of
/// the tests' own configuration: one pack each) and used as their users would: fresh projects that reference the
/// package, restored through a nuget.config that adds the feed to the machine's sources, and the tool installed from
/// the feed. Restores use a packages folder of their own, so a package of the same version in the user's NuGet cache
/// is never taken for the one just packed. Each step runs once, for the first test that needs it.
/// </summary>
public sealed class PackageWorkspace : IDisposable
{
    private readonly Lazy<NuGetPackage> _library;
    private readonly Lazy<IReadOnlyList<NuGetPackage>> _tool;
    private readonly Lazy<ConsumerBuild> _consumers;
    private readonly Lazy<ConsumerBuild> _refusedConsumer;
    private readonly Lazy<string> _installedTool;

    public PackageWorkspace()
    {
        Repository = RepositoryFolder.Find()?.FullName ??
            throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds FastLoss.sln.");
        Configuration = typeof(PackageWorkspace).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        Root = Directory.CreateTempSubdirectory("fastloss-package-tests-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        PackagesFolder = Path.Combine(Root, "packages");
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        _library = new(() => Pack("library", "src/FastLoss/FastLoss.csproj", "--no-build").Single());
        _tool = new(() => Pack("tool", "src/FastLoss.Cli/FastLoss.Cli.csproj"));
        _consumers = new(() => BuildConsumers("consumers", [.. ReadmeProjects.Create(Repository), CustomLossProject.Project]));
        _refusedConsumer = new(() => BuildConsumers("refused", [RefusedDeclarationsProject.Project]));
        _installedTool = new(InstallTool);
    }

    /// <summary>The repository's folder.</summary>
    public string Repository { get; }

    /// <summary>The version every package takes, from Directory.Build.props.</summary>
    public string VersionPrefix =>
        XDocument.Load(Path.Combine(Repository, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    /// <summary>The commit checked out, which the packages name as their source.</summary>
    public string HeadCommit
    {
        get
        {
            return ChildProcess.Run("git", ["rev-parse", "HEAD"], Repository).Succeeded().Output.Trim();
        }
    }

    /// <summary>The build configuration packed (the tests' own).</summary>
    public string Configuration { get; }

    public string Root { get; }

    /// <summary>The local feed: the .nupkg files packed here.</summary>
    public string Feed { get; }

    /// <summary>The restores' own packages folder (NUGET_PACKAGES).</summary>
    public string PackagesFolder { get; }

    /// <summary>The FastLoss package.</summary>
    internal NuGetPackage Library => _library.Value;

    /// <summary>The tool's packages: FastLoss.Cli, which points at the others, and one per platform.</summary>
    internal IReadOnlyList<NuGetPackage> ToolPackages => _tool.Value;

    /// <summary>The projects that use the package as they should: the readmes' code and a loss declared in a consumer.</summary>
    internal ConsumerBuild Consumers => _consumers.Value;

    /// <summary>A project with declarations the generator and the analyzers refuse.</summary>
    internal ConsumerBuild RefusedConsumer => _refusedConsumer.Value;

    /// <summary>The fastloss command installed from the feed with <c>dotnet tool install --tool-path</c>.</summary>
    internal string InstalledTool => _installedTool.Value;

    /// <summary>Runs dotnet as a user of the feed: the restores go to <see cref="PackagesFolder"/>.</summary>
    internal ProcessResult UserDotnet(string workingDirectory, params string[] arguments) =>
        ChildProcess.Run("dotnet", arguments, workingDirectory, new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = PackagesFolder,
            // Numbers print as the readmes write them, whatever the machine's culture.
            ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
        });

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Packs a project of the repository and adds its packages to the feed (the symbols packages stay beside).</summary>
    private List<NuGetPackage> Pack(string name, string project, params string[] options)
    {
        string output = Path.Combine(Root, "packed", name);
        ChildProcess.Run("dotnet", ["pack", project, "-c", Configuration, "-o", output, .. options], Repository).Succeeded();
        var packages = new List<NuGetPackage>();
        foreach (string file in Directory.GetFiles(output, "*.nupkg"))
        {
            string inFeed = Path.Combine(Feed, Path.GetFileName(file));
            File.Copy(file, inFeed);
            string symbols = Path.ChangeExtension(file, ".snupkg");
            packages.Add(new NuGetPackage(inFeed, File.Exists(symbols) ? symbols : null));
        }

        Assert.NotEmpty(packages);
        return packages;
    }

    /// <summary>Writes the projects into one folder with a solution of them, and builds it (restoring FastLoss from the feed).</summary>
    private ConsumerBuild BuildConsumers(string name, IReadOnlyList<ConsumerProject> projects)
    {
        string folder = Directory.CreateDirectory(Path.Combine(Root, name)).FullName;
        foreach (ConsumerProject project in projects)
        {
            project.Write(folder, Library.Version);
        }

        string solution = Path.Combine(folder, name + ".slnx");
        File.WriteAllText(solution, $"""
            <Solution>
            {string.Join(Environment.NewLine, projects.Select(p => $"  <Project Path=\"{p.Name}/{p.Name}.csproj\" />"))}
            </Solution>
            """);
        return new ConsumerBuild(this, folder, UserDotnet(folder, "build", solution));
    }

    private string InstallTool()
    {
        string toolPath = Path.Combine(Root, "tools");
        string version = ToolPackages.Single(p => p.Id == "FastLoss.Cli").Version;
        UserDotnet(Root, "tool", "install", "FastLoss.Cli", "--version", version, "--tool-path", toolPath, "--add-source", Feed).Succeeded();
        return Path.Combine(toolPath, "fastloss");
    }
}

/// <summary>The build of some consumer projects, and their programs to run.</summary>
internal sealed record ConsumerBuild(PackageWorkspace Workspace, string Folder, ProcessResult Result)
{
    /// <summary>Runs the program of a project of this build, both of which must succeed.</summary>
    public ProcessResult Run(string project)
    {
        Result.Succeeded();
        string program = Path.Combine(Folder, project, "bin", "Debug", "net10.0", project + ".dll");
        return Workspace.UserDotnet(Folder, program).Succeeded();
    }
}
