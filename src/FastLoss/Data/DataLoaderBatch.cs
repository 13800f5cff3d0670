namespace FastLoss.Data;

/// <summary>
/// One batch from a <see cref="DataLoader"/>: images (B, C, H, W) and labels (B). Both are the loader's own
/// buffers, overwritten by the next batch: use them (or copy them) before asking for another.
/// </summary>
public readonly struct DataLoaderBatch
{
    internal DataLoaderBatch(Tensor images, IndexTensor labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>The transformed images, (B, C, H, W) float32.</summary>
    public Tensor Images { get; }

    /// <summary>The class indices, (B) int64.</summary>
    public IndexTensor Labels { get; }

    /// <summary>The number of samples in this batch (B; smaller for the last batch of an epoch).</summary>
    public int Size => Labels.Length;

    /// <summary>Lets a loop read <c>foreach (var (images, labels) in loader)</c>.</summary>
    public void Deconstruct(out Tensor images, out IndexTensor labels)
    {
        images = Images;
        labels = Labels;
    }
}
