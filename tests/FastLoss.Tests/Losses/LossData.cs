namespace FastLoss.Tests.Losses;

/// <summary>Seeded inputs for loss tests: ordinary random values plus the adversarial ones torch must survive.</summary>
public static class LossData
{
    public static (float[] Input, float[] Target, float[] Weight, float[] PosWeight) Make(ElementwiseLossCase loss, int n, int seed, bool adversarial)
    {
        var random = new Random(seed);
        var x = new float[n];
        var y = new float[n];
        var w = new float[n];
        var p = new float[n];
        for (int i = 0; i < n; i++)
        {
            w[i] = (float)(random.NextDouble() * 2);
            p[i] = (float)(random.NextDouble() * 3);
            if (loss.Sample is not null)
            {
                (x[i], y[i]) = loss.Sample(random, i, adversarial);
            }
            else if (loss.ProbabilityInput)
            {
                x[i] = (float)random.NextDouble();
                y[i] = (float)random.NextDouble();
                if (adversarial)
                {
                    switch (i % 5)
                    {
                        case 0: x[i] = 0f; break;
                        case 1: x[i] = 1f; break;
                        case 2: x[i] = 1e-30f; break;
                        case 3: y[i] = i % 2; break;
                    }
                }
            }
            else if (loss.Name.StartsWith("BCEWithLogits", StringComparison.Ordinal))
            {
                x[i] = (float)((random.NextDouble() * 20) - 10);
                y[i] = (float)random.NextDouble();
                if (adversarial)
                {
                    switch (i % 5)
                    {
                        case 0: x[i] = 1000f; break;
                        case 1: x[i] = -1000f; break;
                        case 2: x[i] = 0f; break;
                        case 3: y[i] = i % 2; x[i] = (i % 4 == 1) ? 30f : -30f; break;
                    }
                }
            }
            else
            {
                x[i] = (float)((random.NextDouble() * 8) - 4);
                y[i] = (float)((random.NextDouble() * 8) - 4);
                if (adversarial)
                {
                    switch (i % 6)
                    {
                        case 0: y[i] = x[i]; break;                       // d = 0: the kink
                        case 1: x[i] = 1e4f; y[i] = -1e4f; break;         // |x| up to 1e4
                        case 2: x[i] = -1e4f; y[i] = 0.25f; break;
                        case 3: x[i] = 0f; y[i] = 1f; break;              // |d| exactly 1 = beta, delta
                        case 4: x[i] = 1e-20f; y[i] = -1e-20f; break;
                    }
                }
            }
        }

        return (x, y, w, p);
    }
}
