using System.Globalization;
using System.Text;

namespace FastLoss.Data;

/// <summary>
/// The official CIFAR-10 binary layout: files of 3073-byte records, each a label byte (0-9) followed by
/// 3072 pixel bytes (the red, green and blue 32x32 planes, row-major), plus a text file of class names.
/// </summary>
internal static class Cifar10Format
{
    public const int Channels = 3;
    public const int Height = 32;
    public const int Width = 32;
    public const int ImageBytes = Channels * Height * Width;
    public const int RecordBytes = 1 + ImageBytes;
    public const int ClassCount = 10;

    /// <summary>The folder the official archive unpacks to, inside the dataset root.</summary>
    public const string FolderName = "cifar-10-batches-bin";

    /// <summary>The official archive's file name, inside the dataset root.</summary>
    public const string ArchiveName = "cifar-10-binary.tar.gz";

    public const string MetaFileName = "batches.meta.txt";

    public static readonly string[] TrainFileNames =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    public static readonly string[] TestFileNames = ["test_batch.bin"];

    /// <summary>The class names of the official batches.meta.txt, used when that file is absent.</summary>
    public static readonly string[] StandardClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Checks that a file of <paramref name="length"/> bytes holds whole records, and returns how many.</summary>
    public static int RecordCount(string source, long length)
    {
        if (length == 0)
        {
            throw new InvalidDataException($"'{source}' is empty: a CIFAR-10 batch holds {RecordBytes}-byte records.");
        }

        if (length % RecordBytes != 0)
        {
            long whole = length / RecordBytes;
            long rest = length % RecordBytes;
            string hint = length % (RecordBytes + 1) == 0
                ? $" Its size is a multiple of {RecordBytes + 1} bytes, the record size of CIFAR-100 (2 label bytes): this looks like a CIFAR-100 file."
                : " The file is truncated or is not a CIFAR-10 batch.";
            throw new InvalidDataException(
                $"'{source}' is {length.ToString(CultureInfo.InvariantCulture)} bytes, not a whole number of " +
                $"{RecordBytes}-byte CIFAR-10 records (1 label byte + {ImageBytes} pixel bytes): " +
                $"{whole.ToString(CultureInfo.InvariantCulture)} records and {rest.ToString(CultureInfo.InvariantCulture)} bytes left over.{hint}");
        }

        long count = length / RecordBytes;
        if (count > int.MaxValue / RecordBytes)
        {
            throw new InvalidDataException($"'{source}' holds {count} records, more than one dataset can index.");
        }

        return (int)count;
    }

    /// <summary>Throws on the first label outside 0-9, naming the record and its byte offset in the file.</summary>
    public static void ValidateLabels(string source, ReadOnlySpan<byte> records)
    {
        int count = records.Length / RecordBytes;
        for (int r = 0; r < count; r++)
        {
            byte label = records[r * RecordBytes];
            if (label >= ClassCount)
            {
                long offset = (long)r * RecordBytes;
                throw new InvalidDataException(
                    $"'{source}': record {r} (byte offset {offset.ToString(CultureInfo.InvariantCulture)}) has label {label}; " +
                    $"CIFAR-10 labels are 0-{ClassCount - 1}. The file is corrupt or is not a CIFAR-10 batch.");
            }
        }
    }

    /// <summary>Reads the class names, one a line; blank lines (the official file ends with some) are skipped.</summary>
    public static string[] ParseClassNames(string source, ReadOnlySpan<byte> text)
    {
        var names = new List<string>(ClassCount);
        foreach (string line in Encoding.UTF8.GetString(text).Split('\n'))
        {
            string name = line.Trim();
            if (name.Length > 0)
            {
                names.Add(name);
            }
        }

        if (names.Count != ClassCount)
        {
            throw new InvalidDataException(
                $"'{source}' names {names.Count} classes; CIFAR-10 has {ClassCount} (one name a line).");
        }

        return [.. names];
    }
}
