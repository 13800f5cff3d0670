using FastLoss.Functional;

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

    /// <summary>
    /// Logits in [-4, 4]. With <paramref name="large"/>, every third one is +1e4 or -1e4 (alternately): exp
    /// overflows float32 there, so only a log-softmax that subtracts the maximum stays finite.
    /// </summary>
    public float[] ClassLogits(int count, bool large)
    {
        float[] logits = Uniform(count, -4f, 4f);
        if (large)
        {
            for (int i = 0; i < count; i += 3)
            {
                logits[i] = (i / 3) % 2 == 0 ? 1e4f : -1e4f;
            }
        }

        return logits;
    }

    /// <summary>Class indices drawn uniformly from [0, <paramref name="classes"/>).</summary>
    public long[] ClassIndices(int count, int classes)
    {
        var indices = new long[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = _random.Next(classes);
        }

        return indices;
    }

    /// <summary>
    /// Class-probability targets laid out like the logits: each entry a distribution over the (possibly strided)
    /// class dimension; every fourth entry is one-hot (a hard label given as probabilities).
    /// </summary>
    public float[] ClassProbabilities(ClassLayout layout)
    {
        var probabilities = new float[layout.Length];
        for (int b = 0; b < layout.Batch; b++)
        {
            for (int i = 0; i < layout.Inner; i++)
            {
                int entry = (b * layout.Inner) + i;
                int first = (b * layout.Classes * layout.Inner) + i;
                if (entry % 4 == 3)
                {
                    probabilities[first + (_random.Next(layout.Classes) * layout.Inner)] = 1f;
                    continue;
                }

                float total = 0;
                for (int c = 0; c < layout.Classes; c++)
                {
                    float value = Uniform(0f, 1f);
                    probabilities[first + (c * layout.Inner)] = value;
                    total += value;
                }

                for (int c = 0; c < layout.Classes; c++)
                {
                    probabilities[first + (c * layout.Inner)] /= total;
                }
            }
        }

        return probabilities;
    }
}
