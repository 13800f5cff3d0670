using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;

namespace FastLoss.Data;

/// <summary>
/// Reads the official <c>cifar-10-binary.tar.gz</c> as a stream (gzip, then tar), without unpacking it to disk. The
/// archive must be what the official one is: the folder <c>cifar-10-batches-bin/</c> and its known files (the batches,
/// the class names, the readme), each once. Anything else is refused by name before it is used: another file or
/// folder, an absolute path, a name with "..", a link, a device, a name that comes twice.
/// </summary>
internal static class Cifar10Archive
{
    // The class-name file is 61 bytes; anything far larger is not it.
    private const int MaxMetaBytes = 1 << 16;

    /// <summary>
    /// The contents of the entries <c>cifar-10-batches-bin/NAME</c> for each NAME in <paramref name="names"/>
    /// that the archive holds (absent names are simply missing from the result).
    /// </summary>
    public static Dictionary<string, byte[]> ReadFiles(string archivePath, IReadOnlyCollection<string> names)
    {
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var file = OpenRead(archivePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (NextFolderFile(archivePath, tar, seen) is { } entry)
        {
            string name = entry.Name;
            if (!names.Contains(name))
            {
                continue;
            }

            string source = $"{archivePath}!{entry.Entry.Name}";
            long length = entry.Entry.Length;
            if (name == Cifar10Format.MetaFileName)
            {
                if (length > MaxMetaBytes)
                {
                    throw new InvalidDataException($"'{source}' is {length} bytes: too large for a list of class names.");
                }
            }
            else
            {
                Cifar10Format.RecordCount(source, length);
            }

            var bytes = new byte[length];
            ReadEntry(archivePath, source, entry.Entry, bytes);
            found[name] = bytes;
        }

        return found;
    }

    /// <summary>
    /// Unpacks every plain file of <c>cifar-10-batches-bin/</c> into <paramref name="destinationFolder"/>
    /// (which must exist), checking each file's length as it goes. Returns the names written.
    /// </summary>
    public static List<string> ExtractFolder(string archivePath, string destinationFolder)
    {
        var written = new List<string>();
        using var file = OpenRead(archivePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var buffer = new byte[1 << 20];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (NextFolderFile(archivePath, tar, seen) is { } entry)
        {
            string source = $"{archivePath}!{entry.Entry.Name}";
            using var output = new FileStream(
                Path.Combine(destinationFolder, entry.Name), FileMode.CreateNew, FileAccess.Write, FileShare.None);
            long remaining = entry.Entry.Length;
            Stream? data = entry.Entry.DataStream;
            while (remaining > 0)
            {
                int read = ReadChunk(archivePath, data, buffer.AsSpan(0, (int)Math.Min(buffer.Length, remaining)));
                if (read == 0)
                {
                    throw Truncated(source, entry.Entry.Length, entry.Entry.Length - remaining);
                }

                output.Write(buffer, 0, read);
                remaining -= read;
            }

            output.Flush(flushToDisk: true);
            written.Add(entry.Name);
        }

        return written;
    }

    private static FileStream OpenRead(string archivePath) =>
        new(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);

    private readonly record struct FolderFile(string Name, TarEntry Entry);

    /// <summary>The files the official archive holds besides the batches and the class names.</summary>
    private static readonly string[] OtherKnownFiles = ["readme.html"];

    /// <summary>The next file of the CIFAR-10 folder, or null at the end of the archive; anything unexpected is refused.</summary>
    private static FolderFile? NextFolderFile(string archivePath, TarReader tar, HashSet<string> seen)
    {
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = tar.GetNextEntry();
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
            {
                throw new InvalidDataException(
                    $"'{archivePath}' is not a readable tar.gz archive (truncated or corrupt): {e.Message}", e);
            }

            if (entry is null)
            {
                return null;
            }

            string raw = entry.Name;
            string path = raw.StartsWith("./", StringComparison.Ordinal) ? raw[2..] : raw;
            string prefix = Cifar10Format.FolderName + "/";
            if (path.StartsWith('/') || path.StartsWith('\\') || (path.Length > 1 && path[1] == ':'))
            {
                throw Refused(archivePath, raw, "an absolute path");
            }

            foreach (string part in path.Split('/', '\\'))
            {
                if (part == "..")
                {
                    throw Refused(archivePath, raw, "a path that climbs out of the folder (\"..\")");
                }
            }

            if (entry.EntryType is TarEntryType.Directory && (path.TrimEnd('/') is "" or "." || path.TrimEnd('/') == Cifar10Format.FolderName))
            {
                continue;
            }

            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
            {
                throw Refused(archivePath, raw, $"a link (to '{entry.LinkName}')");
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
            {
                // Metadata records of the tar formats carry no file; anything else (devices, fifos, folders) is refused.
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
                {
                    continue;
                }

                throw Refused(archivePath, raw, $"a {entry.EntryType} entry, not a file of {Cifar10Format.FolderName}/");
            }

            string name = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : string.Empty;
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || !IsKnownFile(name))
            {
                throw Refused(archivePath, raw, $"not one of the official archive's files ({Cifar10Format.FolderName}/ with the batches, {Cifar10Format.MetaFileName} and readme.html)");
            }

            if (!seen.Add(name))
            {
                throw Refused(archivePath, raw, "a second entry of the same name");
            }

            return new FolderFile(name, entry);
        }
    }

    private static bool IsKnownFile(string name) =>
        name == Cifar10Format.MetaFileName || Array.IndexOf(Cifar10Format.TrainFileNames, name) >= 0
        || Array.IndexOf(Cifar10Format.TestFileNames, name) >= 0 || Array.IndexOf(OtherKnownFiles, name) >= 0;

    private static InvalidDataException Refused(string archivePath, string entry, string what) =>
        new($"'{archivePath}' holds the entry '{entry}', {what}: the archive is not the official CIFAR-10 one, so nothing of it is used.");

    private static void ReadEntry(string archivePath, string source, TarEntry entry, Span<byte> destination)
    {
        Stream? data = entry.DataStream;
        int filled = 0;
        while (filled < destination.Length)
        {
            int read = ReadChunk(archivePath, data, destination[filled..]);
            if (read == 0)
            {
                throw Truncated(source, destination.Length, filled);
            }

            filled += read;
        }
    }

    private static int ReadChunk(string archivePath, Stream? data, Span<byte> destination)
    {
        if (data is null)
        {
            return 0;
        }

        try
        {
            return data.Read(destination);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InvalidDataException(
                $"'{archivePath}' is not a readable tar.gz archive (truncated or corrupt): {e.Message}", e);
        }
    }

    private static InvalidDataException Truncated(string source, long expected, long actual) =>
        new($"'{source}': the archive ended after {actual.ToString(CultureInfo.InvariantCulture)} of the entry's " +
            $"{expected.ToString(CultureInfo.InvariantCulture)} bytes; the archive is truncated.");
}
