using System.Buffers.Binary;
using SkiaSharp;

namespace FastLoss.Cli.Tests;

/// <summary>Checks on a written PNG: its signature and header read by hand, its pixels decoded.</summary>
internal static class PngFile
{
    private static readonly byte[] s_signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Asserts the PNG signature and an IHDR first chunk, and returns the width and height it declares.</summary>
    public static (int Width, int Height) Header(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(s_signature, bytes[..8]);
        Assert.Equal(13u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)));
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        return ((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)), (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>How many pixels are within <paramref name="tolerance"/> of the colour, per channel.</summary>
    public static int CountPixels(string path, byte red, byte green, byte blue, int tolerance = 24)
    {
        using SKBitmap bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        int count = 0;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor pixel = bitmap.GetPixel(x, y);
                if (Math.Abs(pixel.Red - red) <= tolerance && Math.Abs(pixel.Green - green) <= tolerance &&
                    Math.Abs(pixel.Blue - blue) <= tolerance)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
