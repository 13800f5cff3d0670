using FastLoss.Data;
using FastLoss.Tests.Shared;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Data;

/// <summary>Damaged or missing data gives an error that names the file and what is wrong, with the values.</summary>
public sealed class Cifar10CorruptFileTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private string WriteTestBatch(ReadOnlySpan<byte> bytes)
    {
        string folder = _root.Combine("cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "test_batch.bin");
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }

    [Fact]
    public void Truncated_file_names_the_file_its_size_and_the_leftover()
    {
        string path = WriteTestBatch(Cifar10TestData.TestBatch.AsSpan(0, (2 * 3073) + 1000));

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is 7146 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("3073-byte", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 records and 1000 bytes left over", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_of_the_wrong_size_are_recognised_as_such()
    {
        // Three records of 3074 bytes: CIFAR-100's layout (coarse and fine label bytes).
        string path = WriteTestBatch(new byte[3 * 3074]);

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains($"'{path}' is 9222 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 records and 3 bytes left over", error.Message, StringComparison.Ordinal);
        Assert.Contains("multiple of 3074 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("CIFAR-100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_is_refused()
    {
        string path = WriteTestBatch([]);

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains($"'{path}' is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_above_nine_names_the_record_its_offset_and_the_value()
    {
        byte[] bytes = Cifar10TestData.TestBatch.AsSpan(0, 5 * 3073).ToArray();
        bytes[3 * 3073] = 10;
        string path = WriteTestBatch(bytes);

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains($"'{path}': record 3 (byte offset 9219) has label 10", error.Message, StringComparison.Ordinal);
        Assert.Contains("labels are 0-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Class_name_file_with_the_wrong_number_of_names_is_refused()
    {
        WriteTestBatch(Cifar10TestData.TestBatch.AsSpan(0, 3073));
        string meta = _root.Combine("cifar-10-batches-bin", "batches.meta.txt");
        File.WriteAllText(meta, "airplane\nautomobile\n\n");

        var error = Assert.Throws<InvalidDataException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains($"'{meta}' names 2 classes; CIFAR-10 has 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_class_name_file_the_standard_names_are_used()
    {
        WriteTestBatch(Cifar10TestData.TestBatch.AsSpan(0, 2 * 3073));

        var test = new Cifar10(_root.Path, train: false);

        Assert.Equal(2, test.Count);
        Assert.Equal("airplane", test.Classes[0]);
        Assert.Equal("truck", test.Classes[9]);
    }

    [Fact]
    public void Missing_data_without_download_names_the_folder_and_what_was_looked_for()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new Cifar10(_root.Path, train: true));

        string folder = _root.Combine("cifar-10-batches-bin");
        Assert.Contains($"in the folders '{folder}' and '{_root.Path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin (any of them)",
            error.Message, StringComparison.Ordinal);
        Assert.Contains($"the archive '{_root.Combine("cifar-10-binary.tar.gz")}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("download: true", error.Message, StringComparison.Ordinal);
        Assert.Empty(_root.Listing());
    }

    [Fact]
    public void The_folder_of_the_batch_files_is_accepted_as_the_root()
    {
        string folder = _root.Combine("cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Cifar10TestData.TestBatch.AsSpan(0, 3 * 3073).ToArray());
        var fromParent = new Cifar10(_root.Path, train: false);
        var fromFolder = new Cifar10(folder, train: false);
        Assert.Equal(3, fromFolder.Count);
        Assert.True(Cifar10.IsPresent(folder, train: false));
        Assert.Equal(fromParent.GetLabel(2), fromFolder.GetLabel(2));
    }

    [Fact]
    public void Test_split_is_missing_when_only_training_batches_are_there()
    {
        string folder = _root.Combine("cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "data_batch_1.bin"), Cifar10TestData.DataBatch1.AsSpan(0, 3073).ToArray());

        var error = Assert.Throws<FileNotFoundException>(() => new Cifar10(_root.Path, train: false));

        Assert.Contains("CIFAR-10 test data not found", error.Message, StringComparison.Ordinal);
        Assert.Contains("test_batch.bin", error.Message, StringComparison.Ordinal);
    }
}
