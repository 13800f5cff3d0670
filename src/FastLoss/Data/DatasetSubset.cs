namespace FastLoss.Data;

/// <summary>
/// Some samples of a dataset, by index, in a given order (torch.utils.data.Subset): the first N images for a short
/// run, or the images asked for. Images are views of the underlying dataset, never copies.
/// </summary>
public sealed class DatasetSubset : IImageDataset
{
    private readonly IImageDataset _source;
    private readonly int[] _indices;

    /// <summary>The samples of <paramref name="source"/> at <paramref name="indices"/>, in that order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the dataset; the message names it and the range.</exception>
    public DatasetSubset(IImageDataset source, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)source.Count)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices), index, $"index {index} is out of range for a dataset of {source.Count} images (0..{source.Count - 1})");
            }
        }

        _source = source;
        _indices = (int[])indices.Clone();
    }

    /// <summary>The first <paramref name="count"/> samples of <paramref name="source"/> (all of them when it has fewer).</summary>
    public static DatasetSubset First(IImageDataset source, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        var indices = new int[Math.Min(count, source.Count)];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        return new DatasetSubset(source, indices);
    }

    /// <inheritdoc />
    public int Count => _indices.Length;

    /// <inheritdoc />
    public int Channels => _source.Channels;

    /// <inheritdoc />
    public int Height => _source.Height;

    /// <inheritdoc />
    public int Width => _source.Width;

    /// <inheritdoc />
    public int GetLabel(int index) => _source.GetLabel(_indices[index]);

    /// <inheritdoc />
    public ReadOnlySpan<byte> GetImage(int index) => _source.GetImage(_indices[index]);
}
