using System.Security.Cryptography;
using FastLoss.Data;

namespace FastLoss.Tests.Data;

/// <summary>The reader on the real CIFAR-10 files, checked against the raw bytes read independently here.</summary>
public sealed class Cifar10Tests
{
    private static readonly string[] s_classes =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    [Fact]
    public void Shared_files_are_the_documented_ones()
    {
        // The sha256 values published in the data folder's README: every other test here reads these exact bytes.
        Assert.Equal("229d16508368dcc6fcf0fa57f9c20404981616b7fe05b30323b14815c26fc647",
            Convert.ToHexStringLower(SHA256.HashData(Cifar10TestData.TestBatch)));
        Assert.Equal("687a8e423fa0a93d8961c2260af29028d7a4034ad1c12a8c700955d166df9510",
            Convert.ToHexStringLower(SHA256.HashData(Cifar10TestData.DataBatch1)));
    }

    [Fact]
    public void Test_split_has_ten_thousand_records_and_one_thousand_per_class()
    {
        var test = new Cifar10(Cifar10TestData.Root, train: false);

        Assert.Equal(10_000, test.Count);
        Assert.Equal(3, test.Channels);
        Assert.Equal(32, test.Height);
        Assert.Equal(32, test.Width);
        Assert.Equal(s_classes, test.Classes);
        var file = Assert.Single(test.Files);
        Assert.Equal(Path.Combine(Cifar10TestData.Folder, "test_batch.bin"), file.Path);
        Assert.Equal(10_000, file.RecordCount);
        Assert.Empty(test.MissingFiles);

        var counts = new int[10];
        for (int i = 0; i < test.Count; i++)
        {
            counts[test.GetLabel(i)]++;
        }

        Assert.All(counts, c => Assert.Equal(1_000, c));
    }

    [Fact]
    public void Train_split_reads_the_batches_present_and_names_the_missing_ones()
    {
        var train = new Cifar10(Cifar10TestData.Root, train: true);

        Assert.Equal(10_000, train.Count);
        var file = Assert.Single(train.Files);
        Assert.Equal(Path.Combine(Cifar10TestData.Folder, "data_batch_1.bin"), file.Path);
        Assert.Equal(10_000, file.RecordCount);
        Assert.Equal(["data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"], train.MissingFiles);
        Assert.Contains("data_batch_1.bin (10000)", train.ToString(), StringComparison.Ordinal);
        Assert.Contains("not present: data_batch_2.bin", train.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_label_counts_match_an_independent_count_of_the_raw_label_bytes()
    {
        byte[] raw = Cifar10TestData.DataBatch1;
        var fromRaw = new int[10];
        for (int offset = 0; offset < raw.Length; offset += Cifar10TestData.RecordBytes)
        {
            fromRaw[raw[offset]]++;
        }

        var train = new Cifar10(Cifar10TestData.Root, train: true);
        var fromReader = new int[10];
        for (int i = 0; i < train.Count; i++)
        {
            fromReader[train.GetLabel(i)]++;
        }

        // A second, separate read must find the same labels.
        var again = new Cifar10(Cifar10TestData.Root, train: true);
        var fromSecondRead = new int[10];
        for (int i = 0; i < again.Count; i++)
        {
            fromSecondRead[again.GetLabel(i)]++;
        }

        Assert.Equal(10_000, fromRaw.Sum());
        Assert.Equal(fromRaw, fromReader);
        Assert.Equal(fromRaw, fromSecondRead);
        Assert.All(fromRaw, c => Assert.InRange(c, 1, 10_000));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void First_records_have_the_pixels_and_labels_of_the_raw_file(bool train)
    {
        byte[] raw = train ? Cifar10TestData.DataBatch1 : Cifar10TestData.TestBatch;
        var dataset = new Cifar10(Cifar10TestData.Root, train);
        var copy = new byte[Cifar10TestData.ImageBytes];
        foreach (int i in new[] { 0, 1, 2, 3, 4, 5000, 9999 })
        {
            int offset = i * Cifar10TestData.RecordBytes;
            ReadOnlySpan<byte> expected = raw.AsSpan(offset + 1, Cifar10TestData.ImageBytes);

            Assert.Equal(raw[offset], dataset.GetLabel(i));
            Assert.Equal(Checksum(expected), Checksum(dataset.GetImage(i)));
            Assert.True(expected.SequenceEqual(dataset.GetImage(i)));
            dataset.CopyImage(i, copy);
            Assert.True(expected.SequenceEqual(copy));
        }
    }

    [Fact]
    public void Image_planes_are_red_then_green_then_blue_row_major()
    {
        byte[] raw = Cifar10TestData.TestBatch;
        var test = new Cifar10(Cifar10TestData.Root, train: false);
        ReadOnlySpan<byte> image = test.GetImage(7);
        int record = 7 * Cifar10TestData.RecordBytes;
        // Pixel (row 5, column 9) of each plane: plane * 1024 + row * 32 + column, after the label byte.
        for (int plane = 0; plane < 3; plane++)
        {
            Assert.Equal(raw[record + 1 + (plane * 1024) + (5 * 32) + 9], image[(plane * 1024) + (5 * 32) + 9]);
        }
    }

    [Fact]
    public void Out_of_range_index_and_short_destination_are_refused()
    {
        var test = new Cifar10(Cifar10TestData.Root, train: false);

        var low = Assert.Throws<ArgumentOutOfRangeException>(() => test.GetLabel(-1));
        Assert.Contains("index -1 is out of range for a dataset of 10000 records", low.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => test.GetImage(10_000).Length);
        var shortDestination = Assert.Throws<ArgumentException>(() => test.CopyImage(0, new byte[3071]));
        Assert.Contains("3071 bytes", shortDestination.Message, StringComparison.Ordinal);
        Assert.Contains("3072", shortDestination.Message, StringComparison.Ordinal);
    }

    /// <summary>FNV-1a over the bytes: a checksum computed here, independent of the reader.</summary>
    private static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
