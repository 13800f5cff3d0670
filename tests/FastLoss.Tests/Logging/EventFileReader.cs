using System.Buffers.Binary;
using System.Text;
using FastLoss.Tests.Shared;

namespace FastLoss.Tests.Logging;

/// <summary>One decoded TensorBoard Event: the fields FastLoss writes.</summary>
internal sealed record DecodedEvent(double WallTime, long Step, string? FileVersion, List<(string Tag, float Value)> Values);

/// <summary>
/// Reads an event file independently of the writer: TFRecord framing with both masked CRC-32Cs verified by a
/// bit-at-a-time CRC-32C written here, and the generic protobuf decoder of tests/Shared.
/// </summary>
internal static class EventFileReader
{
    public static List<DecodedEvent> Read(string path)
    {
        byte[] bytes;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var memory = new MemoryStream())
        {
            file.CopyTo(memory);
            bytes = memory.ToArray();
        }

        var events = new List<DecodedEvent>();
        int position = 0;
        while (position < bytes.Length)
        {
            Assert.True(bytes.Length - position >= 12, $"record header cut short at byte {position}");
            ReadOnlySpan<byte> lengthBytes = bytes.AsSpan(position, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 8));
            Assert.Equal(MaskedCrc32C(lengthBytes), lengthCrc);
            position += 12;
            Assert.True((ulong)(bytes.Length - position) >= length + 4, $"record data cut short at byte {position}");
            ReadOnlySpan<byte> data = bytes.AsSpan(position, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + (int)length));
            Assert.Equal(MaskedCrc32C(data), dataCrc);
            events.Add(DecodeEvent(data));
            position += (int)length + 4;
        }

        return events;
    }

    /// <summary>CRC-32C one bit at a time (reflected polynomial 0x82F63B78), then TFRecord's mask.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = BitwiseCrc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    public static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static DecodedEvent DecodeEvent(ReadOnlySpan<byte> data)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var values = new List<(string, float)>();
        foreach (ProtobufField field in ProtobufFields.Read(data))
        {
            switch (field.Number, field.WireType)
            {
                case (1, 1):
                    wallTime = BitConverter.Int64BitsToDouble((long)field.Fixed);
                    break;
                case (2, 0):
                    step = (long)field.Varint;
                    break;
                case (3, 2):
                    version = Encoding.UTF8.GetString(field.Bytes);
                    break;
                case (5, 2):
                    foreach (ProtobufField summaryField in ProtobufFields.Read(field.Bytes))
                    {
                        Assert.Equal((1, 2), (summaryField.Number, summaryField.WireType));
                        values.Add(DecodeValue(summaryField.Bytes));
                    }

                    break;
                default:
                    Assert.Fail($"unexpected Event field {field.Number} (wire type {field.WireType})");
                    break;
            }
        }

        return new DecodedEvent(wallTime, step, version, values);
    }

    private static (string, float) DecodeValue(byte[] data)
    {
        string? tag = null;
        float? value = null;
        foreach (ProtobufField field in ProtobufFields.Read(data))
        {
            switch (field.Number, field.WireType)
            {
                case (1, 2):
                    tag = Encoding.UTF8.GetString(field.Bytes);
                    break;
                case (2, 5):
                    value = BitConverter.Int32BitsToSingle((int)field.Fixed);
                    break;
                default:
                    Assert.Fail($"unexpected Summary.Value field {field.Number} (wire type {field.WireType})");
                    break;
            }
        }

        Assert.NotNull(tag);
        Assert.NotNull(value);
        return (tag, value.Value);
    }
}
