using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FastLoss.Serialization;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face's, which torch tools load with
/// <c>safetensors.torch.load_file</c>): an 8-byte little-endian header length, a JSON header
/// <c>{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}</c>
/// padded with spaces to a multiple of 8 bytes, then the tensors' little-endian bytes back to back, in
/// the header's order (names sorted, ordinal). Names follow torch's state_dict ("0.weight", "0.bias"),
/// so a checkpoint can be read by torch and the other way round.
/// </summary>
public static class SafeTensors
{
    /// <summary>The reference implementation refuses headers above 100 MB; so does this one.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";
    private const string Float32 = "F32";

    // The floating dtypes a file may hold; every one loads as float32 (F64 rounds, F16 and BF16 widen exactly).
    private static readonly string[] FloatDtypes = ["F32", "F16", "BF16", "F64"];

    // Every dtype of the format, so an unsupported-but-valid dtype gets a different message from a bad one.
    private static readonly string[] KnownDtypes =
        ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];

    /// <summary>
    /// Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/> atomically:
    /// into a temporary file in the same folder, flushed to disk, then renamed over the target, so a crash
    /// mid-write leaves the previous checkpoint intact.
    /// </summary>
    public static void Save(
        string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        AtomicFile.Write(path, file => Write(file, tensors, metadata));
    }

    /// <summary>Writes the file's bytes (<see cref="Save"/>'s format) to <paramref name="stream"/>, for writers that place the file themselves.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        string[] names = SortedNames(tensors);
        byte[] header = BuildHeader(names, tensors, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (string name in names)
        {
            WriteFloats(stream, tensors[name].Values);
        }
    }

    /// <summary>Reads every tensor and the metadata of <paramref name="path"/>, validating the whole file first.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not F32 safetensors; the message names the file and the problem.</exception>
    public static SafeTensorsContent Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = File.ReadAllBytes(path);
        Layout layout;
        try
        {
            layout = ParseLayout(path, bytes);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            // Whatever the checks above did not foresee is still a malformed file, not a fault of the reader.
            throw new InvalidDataException($"'{path}' is not a valid safetensors file: {e.Message}", e);
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (Entry entry in layout.Entries)
        {
            var tensor = Tensor.Zeros(entry.Shape);
            ReadValues(bytes.AsSpan(checked((int)(layout.DataStart + entry.Begin)), (int)(entry.End - entry.Begin)), entry.Dtype, tensor.Data);
            tensors.Add(entry.Name, tensor);
        }

        return new SafeTensorsContent(tensors, layout.Metadata);
    }

    /// <summary>
    /// Copies the tensors of <paramref name="path"/> into existing tensors of the same names and shapes, as
    /// torch's load_state_dict. Everything is checked before anything is written, so on an error the
    /// destination is untouched. With <paramref name="strict"/>, names missing from the file or unknown to
    /// the destination are errors; without it they are skipped. Returns the file's metadata.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LoadInto(
        string path, IReadOnlyDictionary<string, Tensor> destination, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(destination);
        SafeTensorsContent content = Load(path);
        var problems = new List<string>();
        if (strict)
        {
            string[] missing = [.. destination.Keys.Where(k => !content.Tensors.ContainsKey(k)).Order(StringComparer.Ordinal)];
            string[] unexpected = [.. content.Tensors.Keys.Where(k => !destination.ContainsKey(k)).Order(StringComparer.Ordinal)];
            if (missing.Length > 0)
            {
                problems.Add($"Missing key(s) in state_dict: {string.Join(", ", missing.Select(k => $"\"{k}\""))}.");
            }

            if (unexpected.Length > 0)
            {
                problems.Add($"Unexpected key(s) in state_dict: {string.Join(", ", unexpected.Select(k => $"\"{k}\""))}.");
            }
        }

        foreach ((string name, Tensor target) in destination.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (content.Tensors.TryGetValue(name, out Tensor? source) && !source.SameShape(target))
            {
                problems.Add(
                    $"size mismatch for {name}: copying a param with shape {source.ShapeText} from checkpoint, " +
                    $"the shape in current model is {target.ShapeText}.");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException(
                $"Error(s) in loading state_dict from '{path}':\n\t{string.Join("\n\t", problems)}");
        }

        foreach ((string name, Tensor target) in destination)
        {
            if (content.Tensors.TryGetValue(name, out Tensor? source))
            {
                source.Span.CopyTo(target.Span);
            }
        }

        return content.Metadata;
    }

    private static string[] SortedNames(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var names = new string[tensors.Count];
        int i = 0;
        foreach ((string name, Tensor tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("A tensor name is empty.", nameof(tensors));
            }

            if (name == MetadataKey)
            {
                throw new ArgumentException($"'{MetadataKey}' is reserved for the metadata; it cannot name a tensor.", nameof(tensors));
            }

            ArgumentNullException.ThrowIfNull(tensor, $"tensors[\"{name}\"]");
            names[i++] = name;
        }

        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    private static byte[] BuildHeader(
        string[] names, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var json = new MemoryStream();
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var writer = new Utf8JsonWriter(json, options))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                // Written first, as the reference implementation does.
                writer.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(value, $"metadata[\"{key}\"]");
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (string name in names)
            {
                Tensor tensor = tensors[name];
                long end = offset + ((long)tensor.Length * sizeof(float));
                writer.WriteStartObject(name);
                writer.WriteString("dtype", Float32);
                writer.WriteStartArray("shape");
                foreach (int size in tensor.Shape)
                {
                    writer.WriteNumberValue(size);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }

            writer.WriteEndObject();
        }

        // Spaces pad the header so the data starts 8-byte aligned (the 8-byte prefix keeps the alignment).
        int length = (int)json.Length;
        int padded = (length + 7) & ~7;
        var header = new byte[padded];
        json.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void WriteFloats(Stream file, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            file.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        Span<byte> buffer = stackalloc byte[4];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            file.Write(buffer);
        }
    }

    /// <summary>Little-endian values of <paramref name="dtype"/> as float32.</summary>
    private static void ReadValues(ReadOnlySpan<byte> bytes, string dtype, Span<float> values)
    {
        switch (dtype)
        {
            case Float32 when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                break;
            case Float32:
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
                }

                break;
            case "F16":
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(i * 2, 2));
                }

                break;
            case "BF16":
                // bfloat16 is the upper half of a float32.
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * 2, 2)) << 16);
                }

                break;
            default:
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8, 8));
                }

                break;
        }
    }

    private static int BytesOf(string dtype) => dtype switch
    {
        "F16" or "BF16" => 2,
        "F64" => 8,
        _ => 4,
    };

    private sealed record Entry(string Name, string Dtype, int[] Shape, long Begin, long End);

    private sealed record Layout(long DataStart, List<Entry> Entries, Dictionary<string, string> Metadata);

    /// <summary>Checks the header against the file: everything that could make a read go wrong is refused here.</summary>
    private static Layout ParseLayout(string path, byte[] bytes)
    {
        if (bytes.Length < 8)
        {
            throw Corrupt(path, $"the file is {bytes.Length} bytes, shorter than the 8-byte header length prefix (truncated?)");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        long available = bytes.Length - 8L;
        if (headerLength > MaxHeaderBytes)
        {
            throw Corrupt(path, $"the header length prefix says {headerLength} bytes, above the format's limit of {MaxHeaderBytes} (not a safetensors file?)");
        }

        if ((long)headerLength > available)
        {
            throw Corrupt(path, $"the header length prefix says {headerLength} bytes but only {available} bytes follow it (truncated?)");
        }

        ReadOnlySpan<byte> headerBytes = bytes.AsSpan(8, (int)headerLength);
        if (headerBytes.Length == 0 || headerBytes[0] != (byte)'{')
        {
            throw Corrupt(path, "the header does not start with '{' (not a safetensors file?)");
        }

        if (System.Text.Unicode.Utf8.ToUtf16(headerBytes, new char[headerBytes.Length], out int valid, out _, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            throw Corrupt(path, $"the header is not UTF-8 text: byte {8 + valid} of the file ({headerBytes[valid]:X2}) starts no UTF-8 character");
        }

        // Duplicate names are refused by the parser: a name must describe one tensor.
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"'{path}' is not a valid safetensors file: the header is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line): {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(path, "the header is not a JSON object");
            }

            long dataStart = 8 + (long)headerLength;
            long dataLength = bytes.Length - dataStart;
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata);
                }
                else
                {
                    entries.Add(ReadEntry(path, property));
                }
            }

            CheckOffsets(path, entries, dataLength);
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return new Layout(dataStart, entries, metadata);
        }
    }

    /// <summary>
    /// The metadata: string pairs by the format, but writers put other things there, so it is read leniently: a
    /// value that is not a string is kept as its JSON text, and metadata that is not an object is ignored.
    /// </summary>
    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (JsonProperty pair in value.EnumerateObject())
        {
            metadata[pair.Name] = pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString()! : pair.Value.GetRawText();
        }
    }

    private static Entry ReadEntry(string path, JsonProperty property)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Corrupt(path, $"tensor '{name}' is described by a JSON {value.ValueKind}, not an object");
        }

        if (!value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String)
        {
            throw Corrupt(path, $"tensor '{name}' has no string 'dtype'");
        }

        string dtypeName = dtype.GetString()!;
        if (Array.IndexOf(FloatDtypes, dtypeName) < 0)
        {
            throw Corrupt(path, Array.IndexOf(KnownDtypes, dtypeName) >= 0
                ? $"tensor '{name}' has dtype {dtypeName}; FastLoss reads the floating dtypes ({string.Join(", ", FloatDtypes)}) as float32"
                : $"tensor '{name}' has dtype '{dtypeName}', which is not a safetensors dtype");
        }

        if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Corrupt(path, $"tensor '{name}' has no 'shape' array");
        }

        var shape = new int[shapeElement.GetArrayLength()];
        long elements = 1;
        int d = 0;
        foreach (JsonElement size in shapeElement.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt32(out int s) || s < 0)
            {
                throw Corrupt(path, $"tensor '{name}' has shape entry {size.GetRawText()}, not a non-negative 32-bit integer");
            }

            shape[d++] = s;
            elements *= s;
            if (elements > int.MaxValue)
            {
                throw Corrupt(path, $"tensor '{name}' has more than {int.MaxValue} elements");
            }
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array ||
            offsets.GetArrayLength() != 2 ||
            !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
        {
            throw Corrupt(path, $"tensor '{name}' has no 'data_offsets' pair of integers");
        }

        if (begin < 0 || end < begin)
        {
            throw Corrupt(path, $"tensor '{name}' has data_offsets [{begin}, {end}]: begin must be non-negative and not after end");
        }

        long expected = elements * BytesOf(dtypeName);
        if (end - begin != expected)
        {
            throw Corrupt(path,
                $"tensor '{name}' has shape {TensorShape.FormatList(shape)} ({elements} {dtypeName} values, {expected} bytes) " +
                $"but data_offsets [{begin}, {end}] span {end - begin} bytes");
        }

        return new Entry(name, dtypeName, shape, begin, end);
    }

    /// <summary>The tensors must tile the data section exactly: no gap, no overlap, nothing past the end.</summary>
    private static void CheckOffsets(string path, List<Entry> entries, long dataLength)
    {
        var byOffset = new List<Entry>(entries);
        byOffset.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        foreach (Entry entry in byOffset)
        {
            if (entry.End > dataLength)
            {
                throw Corrupt(path,
                    $"tensor '{entry.Name}' has data_offsets [{entry.Begin}, {entry.End}] but the data section is only {dataLength} bytes (truncated?)");
            }

            if (entry.Begin != position)
            {
                throw Corrupt(path, entry.Begin > position
                    ? $"tensor '{entry.Name}' starts at data offset {entry.Begin} but the previous tensor ends at {position}: the data has a gap"
                    : $"tensor '{entry.Name}' starts at data offset {entry.Begin}, inside the previous tensor (which ends at {position}): tensors overlap");
            }

            position = entry.End;
        }

        if (position != dataLength)
        {
            throw Corrupt(path,
                $"the tensors cover {position} bytes of data but {dataLength} bytes follow the header (trailing bytes, or a damaged header)");
        }
    }

    private static InvalidDataException Corrupt(string path, string problem) =>
        new($"'{path}' is not a valid safetensors file: {problem}.");
}
