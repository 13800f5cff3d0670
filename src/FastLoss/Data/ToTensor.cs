namespace FastLoss.Data;

/// <summary>
/// torchvision's ToTensor for uint8 images: each value becomes value / 255 in float32, so pixels lie in
/// [0, 1]. The images stay channel-planar (CHW), the layout CIFAR-10 stores and torch's convolutions expect.
/// </summary>
public sealed class ToTensor : ImageTransform
{
    // torch computes img.float().div(255): a float32 division, not a multiplication by the reciprocal.
    public override float Apply(int channel, float value) => value / 255f;
}
