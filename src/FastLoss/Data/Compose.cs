namespace FastLoss.Data;

/// <summary>torchvision's Compose: applies the transforms in order, e.g. ToTensor then Normalize.</summary>
public sealed class Compose : ImageTransform
{
    private readonly ImageTransform[] _transforms;

    public Compose(params ImageTransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        foreach (ImageTransform? transform in transforms)
        {
            if (transform is null)
            {
                throw new ArgumentException("Compose was given a null transform.", nameof(transforms));
            }
        }

        _transforms = (ImageTransform[])transforms.Clone();
    }

    /// <summary>The transforms, in the order they apply.</summary>
    public IReadOnlyList<ImageTransform> Transforms => _transforms;

    public override void Validate(int channels)
    {
        foreach (ImageTransform transform in _transforms)
        {
            transform.Validate(channels);
        }
    }

    public override float Apply(int channel, float value)
    {
        foreach (ImageTransform transform in _transforms)
        {
            value = transform.Apply(channel, value);
        }

        return value;
    }
}
