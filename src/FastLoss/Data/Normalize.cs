using System.Globalization;

namespace FastLoss.Data;

/// <summary>
/// torchvision's Normalize(mean, std): channel c becomes (value - mean[c]) / std[c], in float32. A single
/// mean or std applies to every channel (torch broadcasts it).
/// </summary>
public sealed class Normalize : ImageTransform
{
    private readonly float[] _mean;
    private readonly float[] _std;

    public Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || std.Length == 0)
        {
            throw new ArgumentException("Normalize needs at least one mean and one std value.");
        }

        foreach (float s in std)
        {
            if (s == 0f)
            {
                throw new ArgumentException(
                    "std evaluated to zero after conversion to torch.float32, leading to division by zero.", nameof(std));
            }
        }

        _mean = (float[])mean.Clone();
        _std = (float[])std.Clone();
    }

    /// <summary>The per-channel means.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std => _std;

    public override void Validate(int channels)
    {
        // torch views mean and std as (-1, 1, 1) and broadcasts them against (C, H, W).
        Check(_mean.Length, channels);
        Check(_std.Length, channels);
    }

    // torch computes tensor.sub_(mean).div_(std): a subtraction then a float32 division.
    public override float Apply(int channel, float value) =>
        (value - _mean[_mean.Length == 1 ? 0 : channel]) / _std[_std.Length == 1 ? 0 : channel];

    private static void Check(int length, int channels)
    {
        if (length != 1 && length != channels)
        {
            throw new ArgumentException(
                $"The size of tensor a ({channels.ToString(CultureInfo.InvariantCulture)}) must match the size of tensor b " +
                $"({length.ToString(CultureInfo.InvariantCulture)}) at non-singleton dimension 0");
        }
    }
}
