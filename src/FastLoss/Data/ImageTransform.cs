namespace FastLoss.Data;

/// <summary>
/// A per-channel map of pixel values, as torchvision's ToTensor and Normalize are: the value of channel c of
/// a pixel depends only on c and that pixel's value before the transform. A chain of such transforms sees
/// only 256 distinct inputs per channel (uint8 pixels), so a <see cref="DataLoader"/> evaluates the chain
/// once per byte value and channel and fills batches by table lookup: the same float32 results as
/// evaluating the chain per pixel, at the cost of one load per pixel and no allocation.
/// </summary>
public abstract class ImageTransform
{
    /// <summary>The value of channel <paramref name="channel"/> after this transform, given its value before.</summary>
    /// <remarks>The first transform of a chain receives the raw pixel value (0-255) as a float.</remarks>
    public abstract float Apply(int channel, float value);

    /// <summary>Checks that this transform fits images of <paramref name="channels"/> channels; throws if not.</summary>
    public virtual void Validate(int channels)
    {
    }
}
