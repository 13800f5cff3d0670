using System.Globalization;

namespace FastLoss.Data;

/// <summary>
/// CIFAR-10 in its official binary layout, as torchvision's <c>CIFAR10(root, train, download)</c>:
/// 32x32 RGB images in 10 classes. The records are kept as read (one byte array), so an image is a view of
/// 3072 bytes: the red, green and blue planes, row-major. A <see cref="DataLoader"/> turns them into float
/// batches through a transform (ToTensor, Normalize).
/// </summary>
/// <remarks>
/// The data is looked for, in this order, as the folder <c>root/cifar-10-batches-bin/</c>
/// (<c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c> for training: whichever of them are present;
/// <c>test_batch.bin</c> for testing), then as the official archive <c>root/cifar-10-binary.tar.gz</c>, read
/// directly. With <c>download: true</c> and neither present, the archive is downloaded, its MD5 verified and
/// the folder unpacked. <see cref="Files"/> tells which files were read.
/// </remarks>
public sealed class Cifar10 : IImageDataset
{
    private readonly byte[] _records;
    private readonly string[] _classes;

    /// <summary>Loads the training (<paramref name="train"/>) or test split found under <paramref name="root"/>.</summary>
    /// <param name="root">The folder holding <c>cifar-10-batches-bin/</c> or <c>cifar-10-binary.tar.gz</c>.</param>
    /// <param name="train">The training batches (true) or the test batch (false).</param>
    /// <param name="download">Fetch, verify and unpack the official archive when the data is not there.</param>
    /// <param name="downloadOptions">Where to download from and the MD5 to expect; the official ones by default.</param>
    public Cifar10(string root, bool train, bool download = false, Cifar10DownloadOptions? downloadOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Train = train;
        string[] wanted = train ? Cifar10Format.TrainFileNames : Cifar10Format.TestFileNames;
        string folder = Path.Combine(Root, Cifar10Format.FolderName);
        string archive = Path.Combine(Root, Cifar10Format.ArchiveName);

        LoadedData data;
        if (FolderHasAny(folder, wanted))
        {
            data = ReadFolder(folder, wanted);
        }
        else if (FolderHasAny(Root, wanted))
        {
            // root is the folder that holds the batch files itself (.../cifar-10-batches-bin).
            data = ReadFolder(Root, wanted);
        }
        else if (File.Exists(archive))
        {
            data = ReadArchive(archive, wanted);
        }
        else if (download)
        {
            Cifar10DownloadOptions options = downloadOptions ?? new Cifar10DownloadOptions();
            folder = Cifar10Download.DownloadAndExtract(Root, options);
            if (!FolderHasAny(folder, wanted))
            {
                throw new InvalidDataException(
                    $"The archive downloaded from {options.Uri} holds none of {string.Join(", ", wanted)} in {Cifar10Format.FolderName}/.");
            }

            data = ReadFolder(folder, wanted);
        }
        else
        {
            throw new FileNotFoundException(
                $"CIFAR-10 {(train ? "training" : "test")} data not found: {Searched(root, train)}. " +
                "Pass download: true to fetch the official archive, or point root at the folder that holds cifar-10-batches-bin or its files.");
        }

        _records = data.Records;
        _classes = data.Classes;
        Files = data.Files;
        MissingFiles = data.Missing;
        Count = _records.Length / Cifar10Format.RecordBytes;
    }

    /// <summary>
    /// Whether the <paramref name="train"/> split can be read under <paramref name="root"/> without a download: in
    /// <c>root/cifar-10-batches-bin/</c>, in <c>root</c> itself, or in <c>root/cifar-10-binary.tar.gz</c>.
    /// </summary>
    public static bool IsPresent(string root, bool train)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string full = Path.GetFullPath(root);
        string[] wanted = train ? Cifar10Format.TrainFileNames : Cifar10Format.TestFileNames;
        return FolderHasAny(Path.Combine(full, Cifar10Format.FolderName), wanted) || FolderHasAny(full, wanted)
            || File.Exists(Path.Combine(full, Cifar10Format.ArchiveName));
    }

    /// <summary>Where <see cref="IsPresent"/> looks, and for which files, in words: for messages before a download.</summary>
    public static string Searched(string root, bool train)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string full = Path.GetFullPath(root);
        string[] wanted = train ? Cifar10Format.TrainFileNames : Cifar10Format.TestFileNames;
        return $"looked for {string.Join(", ", wanted)}{(train ? " (any of them)" : "")} in the folders " +
            $"'{Path.Combine(full, Cifar10Format.FolderName)}' and '{full}', and for the archive '{Path.Combine(full, Cifar10Format.ArchiveName)}'";
    }

    /// <summary>The dataset root, as a full path.</summary>
    public string Root { get; }

    /// <summary>Whether this is the training split.</summary>
    public bool Train { get; }

    /// <summary>The batch files read, in record order, with their record counts.</summary>
    public IReadOnlyList<Cifar10SourceFile> Files { get; }

    /// <summary>
    /// The official batch files of this split that were not found (the full training set has five): a
    /// training set read from a partial copy says here what it lacks.
    /// </summary>
    public IReadOnlyList<string> MissingFiles { get; }

    /// <summary>The number of records.</summary>
    public int Count { get; }

    public int Channels => Cifar10Format.Channels;

    public int Height => Cifar10Format.Height;

    public int Width => Cifar10Format.Width;

    /// <summary>The class names by label (batches.meta.txt): airplane, automobile, ..., truck.</summary>
    public IReadOnlyList<string> Classes => _classes;

    /// <summary>The label (0-9) of record <paramref name="index"/>.</summary>
    public int GetLabel(int index) => _records[RecordOffset(index)];

    /// <summary>The 3072 pixel bytes of record <paramref name="index"/> (R, G, B planes of 32x32), without copying.</summary>
    public ReadOnlySpan<byte> GetImage(int index) =>
        _records.AsSpan(RecordOffset(index) + 1, Cifar10Format.ImageBytes);

    /// <summary>Copies the 3072 pixel bytes of record <paramref name="index"/> into <paramref name="destination"/>.</summary>
    public void CopyImage(int index, Span<byte> destination)
    {
        if (destination.Length < Cifar10Format.ImageBytes)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} bytes; a CIFAR-10 image needs {Cifar10Format.ImageBytes}.",
                nameof(destination));
        }

        GetImage(index).CopyTo(destination);
    }

    /// <summary>A one-line account of what was read, e.g. for a training log.</summary>
    public override string ToString()
    {
        string files = string.Join(", ", Files.Select(f => $"{Path.GetFileName(f.Path)} ({f.RecordCount})"));
        string missing = MissingFiles.Count == 0 ? "" : $"; not present: {string.Join(", ", MissingFiles)}";
        return $"CIFAR-10 {(Train ? "train" : "test")}: {Count.ToString(CultureInfo.InvariantCulture)} records from {files}{missing}";
    }

    private int RecordOffset(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is out of range for a dataset of {Count} records");
        }

        return index * Cifar10Format.RecordBytes;
    }

    private sealed record LoadedData(byte[] Records, string[] Classes, Cifar10SourceFile[] Files, string[] Missing);

    private static bool FolderHasAny(string folder, string[] names)
    {
        foreach (string name in names)
        {
            if (File.Exists(Path.Combine(folder, name)))
            {
                return true;
            }
        }

        return false;
    }

    private static LoadedData ReadFolder(string folder, string[] wanted)
    {
        var present = new List<(string Path, int Records)>();
        var missing = new List<string>();
        long total = 0;
        foreach (string name in wanted)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                missing.Add(name);
                continue;
            }

            int records = Cifar10Format.RecordCount(path, new FileInfo(path).Length);
            present.Add((path, records));
            total += (long)records * Cifar10Format.RecordBytes;
        }

        byte[] data = Allocate(total, folder);
        var files = new Cifar10SourceFile[present.Count];
        int offset = 0;
        for (int i = 0; i < present.Count; i++)
        {
            (string path, int records) = present[i];
            Span<byte> target = data.AsSpan(offset, records * Cifar10Format.RecordBytes);
            ReadExactly(path, target);
            Cifar10Format.ValidateLabels(path, target);
            files[i] = new Cifar10SourceFile(path, records);
            offset += target.Length;
        }

        string metaPath = Path.Combine(folder, Cifar10Format.MetaFileName);
        string[] classes = File.Exists(metaPath)
            ? Cifar10Format.ParseClassNames(metaPath, File.ReadAllBytes(metaPath))
            : Cifar10Format.StandardClassNames;
        return new LoadedData(data, classes, files, [.. missing]);
    }

    private static LoadedData ReadArchive(string archive, string[] wanted)
    {
        var names = new HashSet<string>(wanted, StringComparer.Ordinal) { Cifar10Format.MetaFileName };
        Dictionary<string, byte[]> entries = Cifar10Archive.ReadFiles(archive, names);
        var files = new List<Cifar10SourceFile>();
        var contents = new List<byte[]>();
        var missing = new List<string>();
        long total = 0;
        foreach (string name in wanted)
        {
            if (entries.TryGetValue(name, out byte[]? bytes))
            {
                string source = $"{archive}!{Cifar10Format.FolderName}/{name}";
                Cifar10Format.ValidateLabels(source, bytes);
                files.Add(new Cifar10SourceFile(source, bytes.Length / Cifar10Format.RecordBytes));
                contents.Add(bytes);
                total += bytes.Length;
            }
            else
            {
                missing.Add(name);
            }
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException(
                $"'{archive}' holds none of {string.Join(", ", wanted)} in {Cifar10Format.FolderName}/.");
        }

        // One file needs no copy; several are joined in the official order.
        byte[] data;
        if (contents.Count == 1)
        {
            data = contents[0];
        }
        else
        {
            data = Allocate(total, archive);
            int offset = 0;
            foreach (byte[] bytes in contents)
            {
                bytes.CopyTo(data, offset);
                offset += bytes.Length;
            }
        }

        string[] classes = entries.TryGetValue(Cifar10Format.MetaFileName, out byte[]? meta)
            ? Cifar10Format.ParseClassNames($"{archive}!{Cifar10Format.FolderName}/{Cifar10Format.MetaFileName}", meta)
            : Cifar10Format.StandardClassNames;
        return new LoadedData(data, classes, [.. files], [.. missing]);
    }

    private static byte[] Allocate(long bytes, string source)
    {
        if (bytes > Array.MaxLength)
        {
            throw new InvalidDataException($"The CIFAR-10 batches in '{source}' add up to {bytes} bytes, more than one array can hold.");
        }

        return new byte[bytes];
    }

    /// <summary>Fills <paramref name="destination"/> from the start of the file; a file that ends early is an error.</summary>
    private static void ReadExactly(string path, Span<byte> destination)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        int filled = 0;
        while (filled < destination.Length)
        {
            int read = file.Read(destination[filled..]);
            if (read == 0)
            {
                throw new InvalidDataException(
                    $"'{path}': expected {destination.Length.ToString(CultureInfo.InvariantCulture)} bytes but the file ended at byte " +
                    $"{filled.ToString(CultureInfo.InvariantCulture)} (record {filled / Cifar10Format.RecordBytes}); it is truncated or was changed while being read.");
            }

            filled += read;
        }
    }
}
