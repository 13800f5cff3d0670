using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace FastLoss.Package.Tests;

/// <summary>What the FastLoss package holds and says about itself.</summary>
[Collection(PackageTestGroup.Name)]
public sealed class LibraryPackageTests(PackageWorkspace workspace)
{
    private NuGetPackage Library => workspace.Library;

    [Fact]
    public void The_package_holds_the_library_its_documentation_the_generator_and_its_readme()
    {
        Assert.Equal(
            ["README.md", "analyzers/dotnet/cs/FastLoss.Generators.dll", "lib/net10.0/FastLoss.dll", "lib/net10.0/FastLoss.xml"],
            Library.ContentFiles);
        Assert.Equal("README.md", Library.Metadata("readme"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(workspace.Repository, "docs", "package-readme.md")), Library.Read("README.md"));
    }

    [Fact]
    public void The_package_depends_on_System_Numerics_Tensors_alone_at_the_repository_version()
    {
        XNamespace ns = Library.Nuspec.Root!.Name.Namespace;
        XElement group = Assert.Single(Library.MetadataElement("dependencies")!.Elements(ns + "group"));
        Assert.Equal("net10.0", group.Attribute("targetFramework")!.Value);
        XElement dependency = Assert.Single(group.Elements(ns + "dependency"));
        Assert.Equal("System.Numerics.Tensors", dependency.Attribute("id")!.Value);
        string pinned = XDocument.Load(Path.Combine(workspace.Repository, "Directory.Packages.props"))
            .Descendants("PackageVersion").Single(p => p.Attribute("Include")!.Value == "System.Numerics.Tensors")
            .Attribute("Version")!.Value;
        Assert.Equal(pinned, dependency.Attribute("version")!.Value);
    }

    [Fact]
    public void The_nuspec_has_the_repository_version_licence_repository_and_release_notes()
    {
        Assert.Equal("FastLoss", Library.Id);
        Assert.Equal(workspace.VersionPrefix, Library.Version);
        XElement license = Library.MetadataElement("license")!;
        Assert.Equal(("expression", "MIT"), (license.Attribute("type")!.Value, license.Value));
        XElement repository = Library.MetadataElement("repository")!;
        Assert.Equal("git", repository.Attribute("type")!.Value);
        Assert.StartsWith("https://github.com/", repository.Attribute("url")!.Value, StringComparison.Ordinal);
        Assert.Equal(workspace.HeadCommit, repository.Attribute("commit")!.Value);
        Assert.Equal(File.ReadAllText(Path.Combine(workspace.Repository, "docs", "release-notes.md")).Trim(), Library.Metadata("releaseNotes").Trim());
        Assert.NotEmpty(Library.Metadata("authors"));
        Assert.NotEmpty(Library.Metadata("description"));
        Assert.Contains("pytorch", Library.Metadata("tags").Split(' '));
    }

    [Fact]
    public void The_symbols_package_holds_the_portable_pdb_of_the_deterministic_packed_assembly()
    {
        var symbols = new NuGetPackage(Assert.IsType<string>(Library.SymbolsPath));
        Assert.Equal(["lib/net10.0/FastLoss.pdb"], symbols.ContentFiles);

        using var assembly = new PEReader(new MemoryStream(Library.Read("lib/net10.0/FastLoss.dll")));
        var debugDirectory = assembly.ReadDebugDirectory();
        Assert.Contains(debugDirectory, e => e.Type == DebugDirectoryEntryType.Reproducible);
        CodeViewDebugDirectoryData codeView = assembly.ReadCodeViewDebugDirectoryData(debugDirectory.Single(e => e.Type == DebugDirectoryEntryType.CodeView));

        using var pdb = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(symbols.Read("lib/net10.0/FastLoss.pdb")));
        var pdbId = new BlobContentId(pdb.GetMetadataReader().DebugMetadataHeader!.Id);
        Assert.Equal(codeView.Guid, pdbId.Guid);
    }
}
