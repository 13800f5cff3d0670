namespace FastLoss.Tests.Classification;

/// <summary>Central finite differences of a float64 function, step 1e-6 (truncation ~1e-12, rounding ~1e-10 for O(1) values).</summary>
internal static class FiniteDifference
{
    public const double Step = 1e-6;

    public static double[] Gradient(Func<double[], double> f, double[] x)
    {
        var gradient = new double[x.Length];
        var probe = (double[])x.Clone();
        for (int k = 0; k < x.Length; k++)
        {
            probe[k] = x[k] + Step;
            double plus = f(probe);
            probe[k] = x[k] - Step;
            double minus = f(probe);
            probe[k] = x[k];
            gradient[k] = (plus - minus) / (2 * Step);
        }

        return gradient;
    }

    /// <summary>sum_n u[n] * values[n]: the scalar whose gradient is the backward of an unreduced loss with upstream u.</summary>
    public static double Project(double[] values, double[] u)
    {
        double sum = 0;
        for (int n = 0; n < values.Length; n++)
        {
            sum += values[n] * u[n];
        }

        return sum;
    }
}
