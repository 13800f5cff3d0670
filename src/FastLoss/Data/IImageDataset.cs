namespace FastLoss.Data;

/// <summary>
/// A labelled set of uint8 images stored channel-planar (CHW), the shape a <see cref="DataLoader"/> batches.
/// Images are handed out as views of the dataset's own bytes, so reading one copies and allocates nothing.
/// </summary>
public interface IImageDataset
{
    /// <summary>The number of samples (torch's len(dataset)).</summary>
    int Count { get; }

    /// <summary>Channels per image (3 for RGB).</summary>
    int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    int Height { get; }

    /// <summary>Image width in pixels.</summary>
    int Width { get; }

    /// <summary>The class index of sample <paramref name="index"/>.</summary>
    int GetLabel(int index);

    /// <summary>The pixels of sample <paramref name="index"/>: Channels planes of Height x Width bytes, row-major.</summary>
    ReadOnlySpan<byte> GetImage(int index);
}
