using System.Buffers.Binary;
using System.Text;
using FastLoss.Serialization;
using FastLoss.Tests.Shared;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Serialization;

/// <summary>The safetensors layout byte by byte, round trips, load_state_dict checks, and damaged files.</summary>
public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Dictionary<string, Tensor> SmallModel() => new()
    {
        ["0.weight"] = Tensor.FromValues([1f, -2f, 3.5f, 0.25f, -0f, 1e-8f], 2, 3),
        ["0.bias"] = Tensor.FromValues([0.5f, -1.5f], 2),
    };

    [Fact]
    public void File_layout_matches_the_specification_byte_by_byte()
    {
        string path = _folder.Combine("model.safetensors");
        SafeTensors.Save(path, SmallModel(), new Dictionary<string, string> { ["step"] = "120", ["epoch"] = "3" });

        // The header the format prescribes for these tensors: metadata, then tensors sorted by name with
        // contiguous offsets into the data section (0.bias first: '0.b' < '0.w').
        string json =
            "{\"__metadata__\":{\"epoch\":\"3\",\"step\":\"120\"}," +
            "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}";
        int headerLength = (json.Length + 7) / 8 * 8;
        var expected = new List<byte>();
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerLength);
        expected.AddRange(prefix);
        expected.AddRange(Encoding.ASCII.GetBytes(json.PadRight(headerLength, ' ')));
        foreach (float value in new[] { 0.5f, -1.5f, 1f, -2f, 3.5f, 0.25f, -0f, 1e-8f })
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            expected.AddRange(bytes);
        }

        byte[] actual = File.ReadAllBytes(path);
        Assert.Equal(expected.ToArray(), actual);
        // The data section starts 8-byte aligned, and the padding is spaces.
        Assert.Equal(0, (8 + headerLength) % 8);
        Assert.Equal((ulong)headerLength, BinaryPrimitives.ReadUInt64LittleEndian(actual));
        Assert.Equal((byte)'{', actual[8]);
        Assert.All(actual.AsSpan(8 + json.Length, headerLength - json.Length).ToArray(), b => Assert.Equal((byte)' ', b));
    }

    [Fact]
    public void Without_metadata_the_header_has_no_metadata_entry()
    {
        string path = _folder.Combine("plain.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Scalar(2f) });

        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, headerLength);

        Assert.Equal("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}".PadRight(headerLength), header);
        Assert.Equal(8 + headerLength + 4, bytes.Length);
    }

    [Fact]
    public void Round_trip_keeps_names_shapes_bits_and_metadata()
    {
        string path = _folder.Combine("checkpoint.safetensors");
        var random = new Random(1);
        var tensors = new Dictionary<string, Tensor>
        {
            ["0.weight"] = Tensor.FromValues([.. Enumerable.Range(0, 6 * 3 * 5 * 5).Select(_ => random.NextSingle() - 0.5f)], 6, 3, 5, 5),
            ["0.bias"] = Tensor.FromValues([float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue], 6),
            ["3.weight"] = Tensor.FromValues([.. Enumerable.Range(0, 70).Select(i => i * 0.1f)], 10, 7),
            ["scalar_bias"] = Tensor.Scalar(5.5f),
            ["empty"] = Tensor.Zeros(0, 4),
            ["optimizer.0.weight.momentum_buffer"] = Tensor.FromValues([.. Enumerable.Range(0, 450).Select(i => -i * 1e-3f)], 6, 3, 5, 5),
        };
        var metadata = new Dictionary<string, string>
        {
            ["epoch"] = "7", ["step"] = "5470", ["note"] = "lr=0.01 \"quoted\" \\ é <html>",
        };

        SafeTensors.Save(path, tensors, metadata);
        SafeTensorsContent loaded = SafeTensors.Load(path);

        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), loaded.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, Tensor original) in tensors)
        {
            Tensor copy = loaded.Tensors[name];
            Assert.Equal(original.Shape.ToArray(), copy.Shape.ToArray());
            // Bit for bit, NaN and -0 included.
            Assert.Equal(original.ToArray().Select(BitConverter.SingleToInt32Bits), copy.ToArray().Select(BitConverter.SingleToInt32Bits));
        }

        Assert.Equal(metadata.OrderBy(p => p.Key), loaded.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public void Save_replaces_the_file_atomically_and_leaves_no_temporary_files()
    {
        string path = _folder.Combine("model.safetensors");
        SafeTensors.Save(path, SmallModel());
        byte[] before = File.ReadAllBytes(path);

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["0.bias"] = Tensor.FromValues([9f], 1) });
        Assert.Equal(["model.safetensors"], _folder.Listing());
        Assert.Equal([9f], SafeTensors.Load(path).Tensors["0.bias"].ToArray());

        // A save refused on its arguments leaves the previous checkpoint as it was.
        SafeTensors.Save(path, SmallModel());
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Scalar(1f) }));
        Assert.Throws<ArgumentNullException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = null! }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], _folder.Listing());
    }

    [Fact]
    public void Save_creates_the_folder()
    {
        string path = _folder.Combine("runs", "a", "model.safetensors");
        SafeTensors.Save(path, SmallModel());

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void LoadInto_copies_into_existing_tensors()
    {
        string path = _folder.Combine("model.safetensors");
        SafeTensors.Save(path, SmallModel(), new Dictionary<string, string> { ["epoch"] = "2" });
        var model = new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Zeros(2, 3), ["0.bias"] = Tensor.Zeros(2) };
        Tensor weight = model["0.weight"];

        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadInto(path, model);

        Assert.Same(weight, model["0.weight"]);
        Assert.Equal(SmallModel()["0.weight"].ToArray(), weight.ToArray());
        Assert.Equal([0.5f, -1.5f], model["0.bias"].ToArray());
        Assert.Equal("2", metadata["epoch"]);
    }

    [Fact]
    public void LoadInto_reports_every_mismatch_and_writes_nothing()
    {
        string path = _folder.Combine("model.safetensors");
        SafeTensors.Save(path, SmallModel());
        var model = new Dictionary<string, Tensor>
        {
            ["0.weight"] = Tensor.Zeros(3, 3),
            ["0.bias"] = Tensor.FromValues([7f, 7f], 2),
            ["1.weight"] = Tensor.Zeros(1),
        };

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadInto(path, model));

        Assert.Contains($"Error(s) in loading state_dict from '{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Missing key(s) in state_dict: \"1.weight\".", error.Message, StringComparison.Ordinal);
        Assert.Contains(
            "size mismatch for 0.weight: copying a param with shape torch.Size([2, 3]) from checkpoint, the shape in current model is torch.Size([3, 3]).",
            error.Message, StringComparison.Ordinal);
        Assert.Equal([7f, 7f], model["0.bias"].ToArray());

        var notStrict = new Dictionary<string, Tensor> { ["0.bias"] = Tensor.Zeros(2), ["extra"] = Tensor.Zeros(1) };
        SafeTensors.LoadInto(path, notStrict, strict: false);
        Assert.Equal([0.5f, -1.5f], notStrict["0.bias"].ToArray());

        var unexpected = Assert.Throws<InvalidDataException>(
            () => SafeTensors.LoadInto(path, new Dictionary<string, Tensor> { ["0.bias"] = Tensor.Zeros(2) }));
        Assert.Contains("Unexpected key(s) in state_dict: \"0.weight\".", unexpected.Message, StringComparison.Ordinal);
    }

    /// <summary>A valid file's bytes, to damage in the tests below.</summary>
    private byte[] ValidFile(out int headerLength)
    {
        string path = _folder.Combine("valid.safetensors");
        SafeTensors.Save(path, SmallModel());
        byte[] bytes = File.ReadAllBytes(path);
        File.Delete(path);
        headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return bytes;
    }

    /// <summary>A file with the given header text (padded to 8) and data bytes.</summary>
    private static byte[] FileWith(string header, int dataBytes)
    {
        string padded = header.PadRight((header.Length + 7) / 8 * 8);
        var bytes = new byte[8 + padded.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded.Length);
        Encoding.UTF8.GetBytes(padded, bytes.AsSpan(8));
        return bytes;
    }

    private string LoadError(byte[] bytes)
    {
        string path = _folder.Combine("damaged.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.StartsWith($"'{path}' is not a valid safetensors file: ", error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    [Fact]
    public void Truncated_files_are_refused_with_the_reason()
    {
        byte[] valid = ValidFile(out int headerLength);

        Assert.Contains("the file is 5 bytes, shorter than the 8-byte header length prefix", LoadError(valid[..5]), StringComparison.Ordinal);
        Assert.Contains($"the header length prefix says {headerLength} bytes but only 20 bytes follow it",
            LoadError(valid[..28]), StringComparison.Ordinal);
        Assert.Contains("tensor '0.weight' has data_offsets [8, 32] but the data section is only 28 bytes",
            LoadError(valid[..^4]), StringComparison.Ordinal);
        Assert.Contains("the file is 0 bytes", LoadError([]), StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_headers_are_refused_with_the_reason()
    {
        byte[] valid = ValidFile(out int headerLength);
        byte[] notJson = (byte[])valid.Clone();
        notJson[8 + 10] = (byte)'}';
        byte[] hugePrefix = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(hugePrefix, 1UL << 40);
        byte[] notAnObject = FileWith("[1,2]", 0);

        Assert.Contains("the header is not valid JSON", LoadError(notJson), StringComparison.Ordinal);
        Assert.Contains($"the header length prefix says {1UL << 40} bytes, above the format's limit", LoadError(hugePrefix), StringComparison.Ordinal);
        Assert.Contains("the header does not start with '{'", LoadError(notAnObject), StringComparison.Ordinal);
        Assert.Contains("the header does not start with '{'", LoadError(FileWith("", 0)), StringComparison.Ordinal);
        Assert.Contains("the header is not valid JSON",
            LoadError(FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}", 8)),
            StringComparison.Ordinal);

        // A header that is not UTF-8, in a tensor's name: named by its byte offset, as InvalidDataException.
        byte[] notUtf8 = FileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        notUtf8[8 + 2] = 0xFF;
        Assert.Contains("the header is not UTF-8 text: byte 10 of the file (FF) starts no UTF-8 character", LoadError(notUtf8), StringComparison.Ordinal);
        byte[] truncatedCharacter = FileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        truncatedCharacter[8 + 2] = 0xC3;
        Assert.Contains("the header is not UTF-8 text", LoadError(truncatedCharacter), StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_may_hold_anything_and_keeps_it_as_text()
    {
        string path = _folder.Combine("metadata.safetensors");
        File.WriteAllBytes(path, FileWith("{\"__metadata__\":{\"format\":\"pt\",\"epoch\":3,\"nested\":{\"a\":[1,2]}},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        var content = SafeTensors.Load(path);
        Assert.Equal("pt", content.Metadata["format"]);
        Assert.Equal("3", content.Metadata["epoch"]);
        Assert.Equal("{\"a\":[1,2]}", content.Metadata["nested"]);

        File.WriteAllBytes(path, FileWith("{\"__metadata__\":[1],\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        Assert.Empty(SafeTensors.Load(path).Metadata);
    }

    [Fact]
    public void Half_bfloat16_and_double_tensors_load_as_float32()
    {
        float[] values = [1.5f, -2.25f, 65504f, 3.0517578e-05f];
        byte[] half = new byte[8], bf16 = new byte[8], f64 = new byte[32];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(i * 2), (Half)values[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(i * 2), (ushort)(BitConverter.SingleToInt32Bits(values[i]) >> 16));
            BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(i * 8), 1.0 / 3.0);
        }

        string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[8,16]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[16,48]}}";
        byte[] file = FileWith(header, 0);
        string path = _folder.Combine("mixed.safetensors");
        File.WriteAllBytes(path, [.. file, .. half, .. bf16, .. f64]);
        var content = SafeTensors.Load(path);
        Assert.Equal(values, content.Tensors["h"].ToArray());
        Assert.Equal([2, 2], content.Tensors["b"].Shape.ToArray());
        Assert.Equal([1.5f, -2.25f, 65280f, 3.0517578e-05f], content.Tensors["b"].ToArray());
        Assert.All(content.Tensors["d"].ToArray(), v => Assert.Equal((float)(1.0 / 3.0), v));
    }

    [Fact]
    public void A_module_prefix_in_the_keys_is_stripped_when_asked()
    {
        // The first tutorial's Tudui class holds its Sequential as self.model1: torch saves "model1.0.weight".
        var source = new FastLoss.NN.Sequential(new FastLoss.NN.Linear(3, 2), new FastLoss.NN.ReLU(), new FastLoss.NN.Linear(2, 1));
        var state = source.StateDict().ToDictionary(p => "model1." + p.Key, p => p.Value);
        string path = _folder.Combine("tudui.safetensors");
        SafeTensors.Save(path, state);
        var model = new FastLoss.NN.Sequential(new FastLoss.NN.Linear(3, 2), new FastLoss.NN.ReLU(), new FastLoss.NN.Linear(2, 1));
        var error = Assert.Throws<InvalidDataException>(() => model.LoadStateDict(path));
        Assert.Contains("Unexpected key(s) in state_dict: \"model1.0.bias\"", error.Message, StringComparison.Ordinal);
        model.LoadStateDict(path, keyPrefix: "model1.");
        Assert.Equal(source.Parameters()[2].ToArray(), model.Parameters()[2].ToArray());
        model.LoadStateDict(state, keyPrefix: "model1.");
    }

    [Fact]
    public void Wrong_dtypes_shapes_and_offsets_are_refused_with_the_values()
    {
        Assert.Contains("tensor 'w' has dtype I64; FastLoss reads the floating dtypes (F32, F16, BF16, F64) as float32",
            LoadError(FileWith("{\"w\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16)), StringComparison.Ordinal);
        Assert.Contains("tensor 'w' has shape [2] (2 F16 values, 4 bytes) but data_offsets [0, 8] span 8 bytes",
            LoadError(FileWith("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)), StringComparison.Ordinal);
        Assert.Contains("tensor 'w' has dtype 'float', which is not a safetensors dtype",
            LoadError(FileWith("{\"w\":{\"dtype\":\"float\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)), StringComparison.Ordinal);
        Assert.Contains("tensor 'w' has shape [2, 3] (6 F32 values, 24 bytes) but data_offsets [0, 20] span 20 bytes",
            LoadError(FileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20)), StringComparison.Ordinal);
        Assert.Contains("tensor 'w' has shape entry -1, not a non-negative 32-bit integer",
            LoadError(FileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)), StringComparison.Ordinal);
        Assert.Contains("tensor 'b' starts at data offset 8 but the previous tensor ends at 4: the data has a gap",
            LoadError(FileWith(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12)),
            StringComparison.Ordinal);
        Assert.Contains("tensor 'b' starts at data offset 0, inside the previous tensor (which ends at 4): tensors overlap",
            LoadError(FileWith(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)),
            StringComparison.Ordinal);
        Assert.Contains("the tensors cover 4 bytes of data but 8 bytes follow the header",
            LoadError(FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8)), StringComparison.Ordinal);
        Assert.Contains("tensor 'a' has data_offsets [8, 4]: begin must be non-negative and not after end",
            LoadError(FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8)), StringComparison.Ordinal);
        Assert.Contains("tensor 'a' has no 'data_offsets' pair of integers",
            LoadError(FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)), StringComparison.Ordinal);
    }

    /// <summary>Random damage to a valid file (bytes changed, cut short, grown): it loads or it is an InvalidDataException, nothing else.</summary>
    [Fact]
    public void Damaged_files_are_refused_as_invalid_data_and_never_with_another_exception()
    {
        byte[] valid = ValidFile(out _);
        string path = _folder.Combine("fuzzed.safetensors");
        var random = new Random(12345);
        int refused = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            if (trial % 5 == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                _ = SafeTensors.Load(path);
            }
            catch (InvalidDataException error)
            {
                Assert.Contains(path, error.Message, StringComparison.Ordinal);
                refused++;
            }
        }

        Assert.True(refused > 1000, $"only {refused} of 3000 damaged files were refused");
    }

    [Fact]
    public void Missing_file_is_reported_by_name()
    {
        string path = _folder.Combine("absent.safetensors");

        var error = Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
