using System.Formats.Tar;
using System.IO.Compression;
using FastLoss.Data;
using FastLoss.Tests.Shared;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Data;

/// <summary>Reading the official archive, cifar-10-binary.tar.gz, directly (built here from the shared files).</summary>
public sealed class Cifar10ArchiveTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Both_splits_read_from_the_archive_equal_the_folder_read()
    {
        string archive = _root.Combine("cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, Cifar10TestData.BuildArchive("data_batch_1.bin", "test_batch.bin", "batches.meta.txt"));

        foreach (bool train in new[] { true, false })
        {
            var fromArchive = new Cifar10(_root.Path, train);
            var fromFolder = new Cifar10(Cifar10TestData.Root, train);
            string entry = train ? "data_batch_1.bin" : "test_batch.bin";

            Assert.Equal(10_000, fromArchive.Count);
            var file = Assert.Single(fromArchive.Files);
            Assert.Equal($"{archive}!cifar-10-batches-bin/{entry}", file.Path);
            Assert.Equal(10_000, file.RecordCount);
            Assert.Equal(fromFolder.Classes, fromArchive.Classes);
            for (int i = 0; i < fromArchive.Count; i++)
            {
                Assert.Equal(fromFolder.GetLabel(i), fromArchive.GetLabel(i));
                Assert.True(fromFolder.GetImage(i).SequenceEqual(fromArchive.GetImage(i)), $"record {i} differs");
            }
        }

        // Reading the archive unpacks nothing.
        Assert.Equal(["cifar-10-binary.tar.gz"], _root.Listing());
    }

    [Fact]
    public void Several_training_batches_are_joined_in_the_official_order()
    {
        // Two small batches stand for data_batch_1 and data_batch_3; data_batch_3's records must come second.
        string source = _root.Combine("src");
        Directory.CreateDirectory(source);
        byte[] first = Cifar10TestData.DataBatch1.AsSpan(0, 4 * 3073).ToArray();
        byte[] third = Cifar10TestData.TestBatch.AsSpan(0, 2 * 3073).ToArray();
        using (var output = File.Create(_root.Combine("cifar-10-binary.tar.gz")))
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        using (var tar = new System.Formats.Tar.TarWriter(gzip))
        {
            // Written out of order on purpose.
            Write(tar, "cifar-10-batches-bin/data_batch_3.bin", third);
            Write(tar, "./cifar-10-batches-bin/data_batch_1.bin", first);
        }

        var train = new Cifar10(_root.Path, train: true);

        Assert.Equal(6, train.Count);
        Assert.Equal([4, 2], train.Files.Select(f => f.RecordCount));
        Assert.EndsWith("data_batch_1.bin", train.Files[0].Path, StringComparison.Ordinal);
        Assert.EndsWith("data_batch_3.bin", train.Files[1].Path, StringComparison.Ordinal);
        Assert.Equal(["data_batch_2.bin", "data_batch_4.bin", "data_batch_5.bin"], train.MissingFiles);
        Assert.True(first.AsSpan(1, 3072).SequenceEqual(train.GetImage(0)));
        Assert.True(third.AsSpan(3073 + 1, 3072).SequenceEqual(train.GetImage(5)));
        Assert.Equal(third[3073], train.GetLabel(5));
    }

    [Fact]
    public void Truncated_archive_names_the_archive()
    {
        byte[] whole = Cifar10TestData.BuildArchive("test_batch.bin");
        string archive = _root.Combine("cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, whole.AsSpan(0, whole.Length / 2).ToArray());

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains(archive, error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Archive_that_is_not_gzip_names_the_archive()
    {
        string archive = _root.Combine("cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, Cifar10TestData.TestBatch.AsSpan(0, 10_000).ToArray());

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains($"'{archive}' is not a readable tar.gz archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Archive_without_the_split_says_so()
    {
        string archive = _root.Combine("cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, Cifar10TestData.BuildArchive("batches.meta.txt"));

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains($"'{archive}' holds none of test_batch.bin in cifar-10-batches-bin/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_entry_in_the_archive_names_the_entry()
    {
        byte[] damaged = Cifar10TestData.TestBatch.AsSpan(0, 3 * 3073).ToArray();
        damaged[2 * 3073] = 200;
        using (var output = File.Create(_root.Combine("cifar-10-binary.tar.gz")))
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        using (var tar = new System.Formats.Tar.TarWriter(gzip))
        {
            Write(tar, "cifar-10-batches-bin/test_batch.bin", damaged);
        }

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains("cifar-10-binary.tar.gz!cifar-10-batches-bin/test_batch.bin': record 2 (byte offset 6146) has label 200",
            error.Message, StringComparison.Ordinal);
    }

    private static void Write(System.Formats.Tar.TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(data),
        });

    public static TheoryData<string, string> BadEntries => new()
    {
        { "twice", "a second entry of the same name" },
        { "unexpected", "not one of the official archive's files" },
        { "outside", "not one of the official archive's files" },
        { "nested", "not one of the official archive's files" },
        { "absolute", "an absolute path" },
        { "climbing", "a path that climbs out of the folder" },
        { "symlink", "a link (to '/etc/passwd')" },
        { "hardlink", "a link (to 'cifar-10-batches-bin/test_batch.bin')" },
        { "fifo", "a Fifo entry" },
    };

    /// <summary>An archive that is not the official one's shape is refused by the offending entry, and a download of it leaves nothing.</summary>
    [Theory]
    [MemberData(nameof(BadEntries))]
    public void Unexpected_entries_are_refused_by_name(string kind, string reason)
    {
        string archive = _root.Combine("cifar-10-binary.tar.gz");
        (string entryName, byte[] bytes) = ArchiveWith(kind);
        System.IO.File.WriteAllBytes(archive, bytes);
        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));
        Assert.Contains($"'{archive}' holds the entry '{entryName}', {reason}", error.Message, StringComparison.Ordinal);
        Assert.Equal(["cifar-10-binary.tar.gz"], _root.Listing());

        // The same archive downloaded: refused while it is unpacked, and nothing of it stays.
        File.Delete(archive);
#pragma warning disable CA5351 // MD5 is the checksum the dataset's publisher gives; it guards integrity, not security.
        string md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes));
#pragma warning restore CA5351
        using var server = new LoopbackHttpServer(bytes, LoopbackResponse.Complete);
        var options = new Cifar10DownloadOptions { Uri = server.Uri, Md5 = md5, Timeout = TimeSpan.FromSeconds(30) };
        error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false, download: true, options));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Empty(_root.Listing());
    }

    private static (string EntryName, byte[] Archive) ArchiveWith(string kind)
    {
        using var output = new MemoryStream();
        string name;
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "cifar-10-batches-bin/"));
            tar.WriteEntry(FileEntry(FastLoss.Tests.Shared.Cifar10Location.BatchesFolder, "cifar-10-batches-bin/test_batch.bin"));
            (name, PaxTarEntry bad) = kind switch
            {
                "twice" => ("cifar-10-batches-bin/test_batch.bin", FileEntry(null, "cifar-10-batches-bin/test_batch.bin")),
                "unexpected" => ("cifar-10-batches-bin/run.sh", FileEntry(null, "cifar-10-batches-bin/run.sh")),
                "outside" => ("other/test_batch.bin", FileEntry(null, "other/test_batch.bin")),
                "nested" => ("cifar-10-batches-bin/sub/test_batch.bin", FileEntry(null, "cifar-10-batches-bin/sub/test_batch.bin")),
                "absolute" => ("/etc/cifar-10-batches-bin/test_batch.bin", FileEntry(null, "/etc/cifar-10-batches-bin/test_batch.bin")),
                "climbing" => ("cifar-10-batches-bin/../../evil", FileEntry(null, "cifar-10-batches-bin/../../evil")),
                "symlink" => ("cifar-10-batches-bin/batches.meta.txt", new PaxTarEntry(TarEntryType.SymbolicLink, "cifar-10-batches-bin/batches.meta.txt") { LinkName = "/etc/passwd" }),
                "hardlink" => ("cifar-10-batches-bin/batches.meta.txt", new PaxTarEntry(TarEntryType.HardLink, "cifar-10-batches-bin/batches.meta.txt") { LinkName = "cifar-10-batches-bin/test_batch.bin" }),
                _ => ("cifar-10-batches-bin/pipe", new PaxTarEntry(TarEntryType.Fifo, "cifar-10-batches-bin/pipe")),
            };
            tar.WriteEntry(bad);
        }

        return (name, output.ToArray());
    }

    /// <summary>A file entry: the real test batch when <paramref name="folder"/> is given, else a few bytes.</summary>
    private static PaxTarEntry FileEntry(string? folder, string entryName) => new(TarEntryType.RegularFile, entryName)
    {
        DataStream = new MemoryStream(folder is null ? "x"u8.ToArray() : System.IO.File.ReadAllBytes(Path.Combine(folder, "test_batch.bin"))),
    };
}
