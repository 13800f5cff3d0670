using System.Buffers.Binary;

namespace FastLoss.Tests.Shared;

/// <summary>One decoded protocol-buffer field: its number, wire type and value (varint, fixed-width bits or bytes).</summary>
internal sealed record ProtobufField(int Number, int WireType, ulong Varint, ulong Fixed, byte[] Bytes);

/// <summary>
/// A generic protocol-buffer decoder written from the wire format alone, so tests read what the writers wrote
/// independently of them. Linked into each test project that reads protobuf.
/// </summary>
internal static class ProtobufFields
{
    /// <summary>Every field of a message in order; a truncated or malformed message fails the test.</summary>
    public static List<ProtobufField> Read(ReadOnlySpan<byte> data)
    {
        var fields = new List<ProtobufField>();
        int position = 0;
        while (position < data.Length)
        {
            ulong key = Varint(data, ref position);
            int number = (int)(key >> 3);
            int wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add(new ProtobufField(number, wireType, Varint(data, ref position), 0, []));
                    break;
                case 1:
                    fields.Add(new ProtobufField(number, wireType, 0, BinaryPrimitives.ReadUInt64LittleEndian(data[position..]), []));
                    position += 8;
                    break;
                case 2:
                    int length = (int)Varint(data, ref position);
                    Assert.True(length <= data.Length - position, $"field {number} of {length} bytes runs past the message's end at byte {position}");
                    fields.Add(new ProtobufField(number, wireType, 0, 0, data.Slice(position, length).ToArray()));
                    position += length;
                    break;
                case 5:
                    fields.Add(new ProtobufField(number, wireType, 0, BinaryPrimitives.ReadUInt32LittleEndian(data[position..]), []));
                    position += 4;
                    break;
                default:
                    Assert.Fail($"wire type {wireType} at byte {position}");
                    break;
            }
        }

        Assert.Equal(data.Length, position);
        return fields;
    }

    /// <summary>The values of a packed repeated varint field (its bytes are the varints one after another).</summary>
    public static List<ulong> PackedVarints(ReadOnlySpan<byte> data)
    {
        var values = new List<ulong>();
        int position = 0;
        while (position < data.Length)
        {
            values.Add(Varint(data, ref position));
        }

        return values;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            Assert.True(shift < 70, "varint longer than 10 bytes");
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
