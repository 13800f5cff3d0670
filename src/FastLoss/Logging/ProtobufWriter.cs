using System.Buffers.Binary;
using System.Text;

namespace FastLoss.Logging;

/// <summary>
/// Writes protocol-buffer fields into a span: varints, little-endian fixed-width numbers and length-delimited
/// payloads. Just what TensorBoard's Event and Summary messages need; callers size nested messages with
/// <see cref="VarintSize"/> before writing their length prefixes.
/// </summary>
internal ref struct ProtobufWriter
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly Span<byte> _buffer;
    private int _position;

    public ProtobufWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes written so far.</summary>
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
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_position..], value);
        _position += sizeof(double);
    }

    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer[_position..], value);
        _position += sizeof(float);
    }

    /// <summary>An int64 field: negative values take ten bytes, as protobuf's two's-complement varint.</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint((ulong)value);
    }

    /// <summary>A string field, UTF-8 encoded straight into the buffer; <paramref name="byteCount"/> is its UTF-8 length.</summary>
    public void WriteString(int field, string value, int byteCount)
    {
        WriteLengthPrefix(field, byteCount);
        _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);
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
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }
}
