using System.Buffers.Binary;
using System.Numerics;

namespace FastLoss.Logging;

/// <summary>
/// CRC-32C (Castagnoli polynomial, reflected 0x82F63B78), the checksum TFRecord files use. BitOperations.Crc32C
/// runs the hardware instruction where there is one (SSE4.2, ARMv8) and a table otherwise.
/// System.IO.Hashing.Crc32 is the other, IEEE polynomial, and would produce files TensorBoard rejects.
/// </summary>
internal static class Crc32C
{
    /// <summary>The standard CRC-32C of <paramref name="data"/> (initial value and final xor 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        while (data.Length >= sizeof(ulong))
        {
            // The instruction consumes the eight bytes in memory order, which is a little-endian read.
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>
    /// TFRecord's masked CRC: rotated right by 15 bits plus a constant, so that a CRC stored inside checksummed
    /// data does not checksum to a fixed pattern.
    /// </summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
    }
}
