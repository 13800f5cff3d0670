using SkiaSharp;

namespace FastLoss.Cli.Tests;

/// <summary>Checks on a written PNG's pixels, decoded (its header: <see cref="FastLoss.Tests.Shared.PngHeader"/>).</summary>
internal static class PngFile
{
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
