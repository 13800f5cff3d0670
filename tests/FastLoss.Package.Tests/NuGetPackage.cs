using System.IO.Compression;
using System.Xml.Linq;

namespace FastLoss.Package.Tests;

/// <summary>A .nupkg (or .snupkg) file read as the zip archive it is: its files, its nuspec, its id and version.</summary>
internal sealed class NuGetPackage
{
    /// <summary>The files NuGet itself adds to every package.</summary>
    private static readonly string[] s_packagingPrefixes = ["_rels/", "package/", "[Content_Types].xml"];

    /// <param name="path">The .nupkg file.</param>
    /// <param name="symbolsPath">The .snupkg packed with it, if any.</param>
    public NuGetPackage(string path, string? symbolsPath = null)
    {
        Path = path;
        SymbolsPath = symbolsPath;
        using ZipArchive archive = ZipFile.OpenRead(path);
        Entries = archive.Entries.Select(e => (e.FullName, e.Length)).ToDictionary(e => e.FullName, e => e.Length);
        ZipArchiveEntry nuspec = archive.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspec.Open();
        Nuspec = XDocument.Load(stream);
    }

    public string Path { get; }

    public string? SymbolsPath { get; }

    /// <summary>Every file of the archive and its uncompressed length.</summary>
    public IReadOnlyDictionary<string, long> Entries { get; }

    /// <summary>The files of the package's content: all but the nuspec and NuGet's own.</summary>
    public IEnumerable<string> ContentFiles =>
        Entries.Keys.Where(e => !e.EndsWith(".nuspec", StringComparison.Ordinal) && !s_packagingPrefixes.Any(p => e.StartsWith(p, StringComparison.Ordinal))).Order(StringComparer.Ordinal);

    public XDocument Nuspec { get; }

    public string Id => Metadata("id");

    public string Version => Metadata("version");

    public long Size => new FileInfo(Path).Length;

    /// <summary>The value of a nuspec metadata element.</summary>
    public string Metadata(string name) => MetadataElement(name)?.Value ?? throw new InvalidDataException($"{Path}: the nuspec has no <{name}>");

    public XElement? MetadataElement(string name) => Nuspec.Root!.Element(Nuspec.Root.Name.Namespace + "metadata")!.Element(Nuspec.Root.Name.Namespace + name);

    public byte[] Read(string entry)
    {
        using ZipArchive archive = ZipFile.OpenRead(Path);
        using Stream stream = archive.GetEntry(entry)?.Open() ?? throw new FileNotFoundException($"{Path} has no {entry}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
