using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace FastLoss.Cli.Tests.Support;

/// <summary>One scalar of a TensorBoard event file.</summary>
internal sealed record ScalarEvent(string Tag, float Value, long Step);

/// <summary>
/// Reads the scalars of a TensorBoard event file, checking its TFRecord framing (both masked CRC-32C values of
/// every record) and the file-version first event, so a file that TensorBoard would reject fails here.
/// </summary>
internal static class EventFile
{
    public static List<ScalarEvent> ReadScalars(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var scalars = new List<ScalarEvent>();
        int position = 0, records = 0;
        while (position < bytes.Length)
        {
            Assert.True(bytes.Length - position >= 16, $"{path}: record {records} is cut short at byte {position}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(position));
            Assert.Equal(MaskedCrc(bytes.AsSpan(position, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 8)));
            position += 12;
            Assert.True((ulong)(bytes.Length - position) >= length + 4, $"{path}: record {records} data is cut short");
            ReadOnlySpan<byte> data = bytes.AsSpan(position, (int)length);
            Assert.Equal(MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + (int)length)));
            if (records == 0)
            {
                Assert.Contains("brain.Event:2", Encoding.ASCII.GetString(data), StringComparison.Ordinal);
            }
            else
            {
                scalars.Add(DecodeScalar(data.ToArray()));
            }

            position += (int)length + 4;
            records++;
        }

        return scalars;
    }

    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        crc = ~crc;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    /// <summary>Event { step = 2 (varint); summary = 5 { value = 1 { tag = 1; simple_value = 2 (float) } } }.</summary>
    private static ScalarEvent DecodeScalar(byte[] data)
    {
        long step = 0;
        string? tag = null;
        float value = float.NaN;
        foreach ((int field, int wire, ulong number, byte[] payload) in Fields(data))
        {
            if (field == 2 && wire == 0)
            {
                step = (long)number;
            }
            else if (field == 5 && wire == 2)
            {
                foreach ((int summaryField, _, _, byte[] valueBytes) in Fields(payload))
                {
                    Assert.Equal(1, summaryField);
                    foreach ((int valueField, int valueWire, ulong valueNumber, byte[] valuePayload) in Fields(valueBytes))
                    {
                        if (valueField == 1)
                        {
                            tag = Encoding.UTF8.GetString(valuePayload);
                        }
                        else if (valueField == 2 && valueWire == 5)
                        {
                            value = BitConverter.Int32BitsToSingle((int)valueNumber);
                        }
                    }
                }
            }
        }

        Assert.NotNull(tag);
        return new ScalarEvent(tag!, value, step);
    }

    private static List<(int Field, int Wire, ulong Number, byte[] Payload)> Fields(byte[] data)
    {
        var fields = new List<(int, int, ulong, byte[])>();
        int position = 0;
        while (position < data.Length)
        {
            ulong key = Varint(data, ref position);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add((field, wire, Varint(data, ref position), []));
                    break;
                case 1:
                    fields.Add((field, wire, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(position)), []));
                    position += 8;
                    break;
                case 2:
                    int length = (int)Varint(data, ref position);
                    fields.Add((field, wire, 0, data.AsSpan(position, length).ToArray()));
                    position += length;
                    break;
                case 5:
                    fields.Add((field, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(position)), []));
                    position += 4;
                    break;
                default:
                    Assert.Fail($"unexpected protobuf wire type {wire}");
                    break;
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] data, ref int position)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
    }
}
