using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace FastLoss.Tests.Data;

/// <summary>
/// Finds the CIFAR-10 subset the project ships beside the repository (shared/data/cifar-10-batches-bin), and
/// reads its raw bytes for tests that check the reader against an independent reading.
/// </summary>
internal static class Cifar10TestData
{
    public const int RecordBytes = 3073;
    public const int ImageBytes = 3072;
    public const string EnvironmentVariable = FastLoss.Tests.Shared.Cifar10Location.EnvironmentVariable;

        private static readonly Lazy<byte[]> s_testBatch = new(() => File.ReadAllBytes(Path.Combine(Folder, "test_batch.bin")));
    private static readonly Lazy<byte[]> s_dataBatch1 = new(() => File.ReadAllBytes(Path.Combine(Folder, "data_batch_1.bin")));

    /// <summary>The folder holding test_batch.bin and data_batch_1.bin; a test fails (never skips) when it is missing.</summary>
    public static string Folder => FastLoss.Tests.Shared.Cifar10Location.BatchesFolder;

    public static byte[] TestBatch => s_testBatch.Value;

    public static byte[] DataBatch1 => s_dataBatch1.Value;

    /// <summary>A root folder in torchvision's sense: the parent of cifar-10-batches-bin.</summary>
    public static string Root => Path.GetDirectoryName(Folder)!;

    /// <summary>
    /// Writes the official archive layout (a tar of cifar-10-batches-bin/ with the given files, gzip-compressed)
    /// from the shared files, as the official cifar-10-binary.tar.gz is laid out.
    /// </summary>
    public static byte[] BuildArchive(params string[] fileNames)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, "cifar-10-batches-bin/"));
            foreach (string name in fileNames)
            {
                tar.WriteEntry(Path.Combine(Folder, name), "cifar-10-batches-bin/" + name);
            }

            // The official archive also carries a readme that the reader must pass over.
            var readme = new UstarTarEntry(TarEntryType.RegularFile, "cifar-10-batches-bin/readme.html")
            {
                DataStream = new MemoryStream("<html>CIFAR-10</html>"u8.ToArray()),
            };
            tar.WriteEntry(readme);
        }

        return output.ToArray();
    }
}
