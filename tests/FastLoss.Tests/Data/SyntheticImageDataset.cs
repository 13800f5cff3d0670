using FastLoss.Data;

namespace FastLoss.Tests.Data;

/// <summary>
/// A dataset whose samples say who they are: every pixel of sample i holds i % 251 in its first plane and
/// i / 251 in the second, and its label is i % 10, so a batch's contents can be traced back to the indices.
/// </summary>
internal sealed class SyntheticImageDataset : IImageDataset
{
    private readonly byte[] _pixels;

    public SyntheticImageDataset(int count, int channels = 2, int height = 2, int width = 3)
    {
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
        int imageSize = channels * height * width;
        _pixels = new byte[count * imageSize];
        for (int i = 0; i < count; i++)
        {
            Span<byte> image = _pixels.AsSpan(i * imageSize, imageSize);
            image[..(height * width)].Fill((byte)(i % 251));
            image.Slice(height * width, height * width).Fill((byte)(i / 251));
        }
    }

    public int Count { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int GetLabel(int index) => index % 10;

    public ReadOnlySpan<byte> GetImage(int index)
    {
        int imageSize = Channels * Height * Width;
        return _pixels.AsSpan(index * imageSize, imageSize);
    }

    /// <summary>The sample index a batch image (as raw values, no transform) was filled from.</summary>
    public static int IndexOf(ReadOnlySpan<float> image, int planeSize) =>
        (int)image[0] + (251 * (int)image[planeSize]);
}
