using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace FastLoss.Serialization.Protobuf;

/// <summary>
/// Writes protocol-buffer fields into a span: varints, little-endian fixed-width numbers and length-delimited
/// payloads, for TensorBoard's event files and ONNX models. Callers size nested messages before writing their
/// length prefixes: by hand with <see cref="VarintSize"/> and <see cref="LengthDelimitedSize"/>, or as a
/// <see cref="ProtobufMessage"/>, which measures itself by writing its fields into a <see cref="Counter"/>.
/// </summary>
internal ref struct ProtobufWriter
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly Span<byte> _buffer;

    // A counter moves its position as a writer would and stores nothing.
    private readonly bool _counting;
    private int _position;

    public ProtobufWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _counting = false;
        _position = 0;
    }

    private ProtobufWriter(bool counting)
    {
        _buffer = default;
        _counting = counting;
        _position = 0;
    }

    /// <summary>A writer that stores nothing and only counts the bytes the same calls would write.</summary>
    public static ProtobufWriter Counter() => new(counting: true);

    /// <summary>Bytes written (or counted) so far.</summary>
    public readonly int Position => _position;

    /// <summary>The bytes of a varint holding <paramref name="value"/> (1 to 10).</summary>
    public static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>The bytes of a field tag (field number and wire type).</summary>
    public static int TagSize(int field) => VarintSize((ulong)field << 3);

    /// <summary>The bytes of a length-delimited field whose payload is <paramref name="length"/> bytes.</summary>
    public static int LengthDelimitedSize(int field, int length) => TagSize(field) + VarintSize((ulong)length) + length;

    public void WriteDouble(int field, double value)
    {
        WriteTag(field, WireFixed64);
        if (!_counting)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_position..], value);
        }

        _position += sizeof(double);
    }

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        if (!_counting)
        {
            BinaryPrimitives.WriteSingleLittleEndian(_buffer[_position..], value);
        }

        _position += sizeof(float);
    }

    /// <summary>An int64 (or int32, or enum) field: negative values take ten bytes, as protobuf's two's-complement varint.</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint((ulong)value);
    }

    /// <summary>A string field, UTF-8 encoded straight into the buffer; <paramref name="byteCount"/> is its UTF-8 length.</summary>
    public void WriteString(int field, string value, int byteCount)
    {
        WriteLengthPrefix(field, byteCount);
        _position += _counting ? byteCount : Encoding.UTF8.GetBytes(value, _buffer[_position..]);
    }

    /// <summary>A string field, UTF-8 encoded.</summary>
    public void WriteString(int field, string value) => WriteString(field, value, Encoding.UTF8.GetByteCount(value));

    /// <summary>A repeated string field: one field per value, in order.</summary>
    public void WriteStrings(int field, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (string value in values)
        {
            WriteString(field, value);
        }
    }

    /// <summary>A repeated int64 field, unpacked (one field per value), which every protobuf reader accepts.</summary>
    public void WriteInt64s(int field, ReadOnlySpan<long> values)
    {
        foreach (long value in values)
        {
            WriteInt64(field, value);
        }
    }

    /// <summary>A bytes field holding <paramref name="values"/> as consecutive little-endian IEEE 754 floats.</summary>
    public void WriteFloatBytes(int field, ReadOnlySpan<float> values)
    {
        int byteCount = values.Length * sizeof(float);
        WriteLengthPrefix(field, byteCount);
        if (!_counting)
        {
            Span<byte> destination = _buffer.Slice(_position, byteCount);
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.AsBytes(values).CopyTo(destination);
            }
            else
            {
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(i * sizeof(float))..], values[i]);
                }
            }
        }

        _position += byteCount;
    }

    /// <summary>A bytes field holding <paramref name="values"/> as consecutive little-endian 64-bit integers.</summary>
    public void WriteInt64Bytes(int field, ReadOnlySpan<long> values)
    {
        int byteCount = values.Length * sizeof(long);
        WriteLengthPrefix(field, byteCount);
        if (!_counting)
        {
            Span<byte> destination = _buffer.Slice(_position, byteCount);
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(destination[(i * sizeof(long))..], values[i]);
            }
        }

        _position += byteCount;
    }

    /// <summary>An embedded message: its tag and length, then its fields.</summary>
    public void WriteMessage(int field, ProtobufMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        WriteLengthPrefix(field, message.Size);
        message.WriteFields(ref this);
    }

    /// <summary>A repeated message field: one embedded message per value, in order.</summary>
    public void WriteMessages(int field, IReadOnlyList<ProtobufMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (ProtobufMessage message in messages)
        {
            WriteMessage(field, message);
        }
    }

    /// <summary>The tag and length of an embedded message whose <paramref name="length"/> bytes follow.</summary>
    public void WriteLengthPrefix(int field, int length)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)length);
    }

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        if (_counting)
        {
            _position += VarintSize(value);
            return;
        }

        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }
}
