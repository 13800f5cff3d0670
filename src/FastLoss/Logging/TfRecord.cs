using System.Buffers.Binary;

namespace FastLoss.Logging;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files: each record is
/// <c>uint64 length | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of the data</c>,
/// all little-endian.
/// </summary>
internal static class TfRecord
{
    /// <summary>Bytes before the data.</summary>
    public const int HeaderBytes = sizeof(ulong) + sizeof(uint);

    /// <summary>Bytes after the data.</summary>
    public const int FooterBytes = sizeof(uint);

    /// <summary>
    /// Completes a record in place: <paramref name="record"/> holds the data at [HeaderBytes, HeaderBytes + dataLength);
    /// the header and footer are written around it. Returns the record's total length.
    /// </summary>
    public static int Frame(Span<byte> record, int dataLength)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)dataLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[sizeof(ulong)..], Crc32C.Masked(record[..sizeof(ulong)]));
        ReadOnlySpan<byte> data = record.Slice(HeaderBytes, dataLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[(HeaderBytes + dataLength)..], Crc32C.Masked(data));
        return HeaderBytes + dataLength + FooterBytes;
    }
}
