namespace FastLoss.TorchParity.Tests;

/// <summary>
/// Seeded test data. Every fifth target equals its input exactly, so the kinks of the losses
/// (d = 0: sign, |d| = beta or delta) are crossed as well as the smooth parts.
/// </summary>
internal sealed class ParityData
{
    private readonly Random _random;

    public ParityData(int seed) => _random = new Random(seed);

    public float Uniform(float low, float high) => low + ((high - low) * (float)_random.NextDouble());

    public float[] Uniform(int count, float low, float high)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = Uniform(low, high);
        }

        return values;
    }

    /// <summary>Inputs and targets for the regression losses: values in [-3, 3], with ties.</summary>
    public (float[] Input, float[] Target) Regression(int count)
    {
        float[] input = Uniform(count, -3f, 3f);
        float[] target = Uniform(count, -3f, 3f);
        for (int i = 0; i < count; i += 5)
        {
            target[i] = input[i];
        }

        return (input, target);
    }

    /// <summary>
    /// Probabilities for BCELoss: inputs in (0, 1) with exact 0s and 1s (the clamped logs and the
    /// 1e-12 gradient floor), targets mixing hard labels and soft ones.
    /// </summary>
    public (float[] Input, float[] Target) Probabilities(int count)
    {
        float[] input = Uniform(count, 0.001f, 0.999f);
        float[] target = new float[count];
        for (int i = 0; i < count; i++)
        {
            target[i] = (i % 3) switch
            {
                0 => 0f,
                1 => 1f,
                _ => Uniform(0f, 1f),
            };
            if (i % 7 == 3)
            {
                input[i] = 0f;
            }
            else if (i % 7 == 5)
            {
                input[i] = 1f;
            }
        }

        return (input, target);
    }

    /// <summary>Logits in [-6, 6] and targets in [0, 1] (hard and soft) for BCEWithLogitsLoss.</summary>
    public (float[] Input, float[] Target) Logits(int count, float magnitude = 6f)
    {
        float[] input = Uniform(count, -magnitude, magnitude);
        float[] target = new float[count];
        for (int i = 0; i < count; i++)
        {
            target[i] = (i % 3) switch
            {
                0 => 0f,
                1 => 1f,
                _ => Uniform(0f, 1f),
            };
        }

        return (input, target);
    }
}
