using System.Globalization;

namespace FastLoss.Tests.Properties;

/// <summary>
/// Whether a float32 result is torch's for a float64 reference value: NaN where the reference is NaN, the same
/// infinity where it is infinite or beyond float's range, and otherwise within relative * max(|reference|,
/// magnitude) + absolute (magnitude: the size of the terms a float32 evaluation adds up, when they can cancel).
/// </summary>
internal static class Expect
{
    public static void Close(double expected, float actual, double relative, double absolute, double magnitude, string what)
    {
        if (!IsClose(expected, actual, relative, absolute, magnitude))
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected:R}, got {actual:R}"));
        }
    }

    public static bool IsClose(double expected, float actual, double relative, double absolute, double magnitude)
    {
        if (double.IsNaN(expected) || float.IsNaN(actual))
        {
            return double.IsNaN(expected) && float.IsNaN(actual);
        }

        double tolerance = (relative * Math.Max(Math.Abs(expected), magnitude)) + absolute;
        if (Math.Abs(expected) > float.MaxValue)
        {
            // Beyond float's range: the same infinity, or float's largest value where the reference is only just beyond it.
            return (float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(expected)) || Math.Abs(actual - expected) <= tolerance;
        }

        return !float.IsInfinity(actual) && Math.Abs(actual - expected) <= tolerance;
    }

    /// <summary>
    /// A reduced value (a sum, or a sum divided by n for a mean) of terms whose float64 values are given. Where the
    /// float32 sum of the terms' sizes passes float's maximum, torch's float32 sum is infinite and so is its mean;
    /// the result may then be that infinity or the float64 value.
    /// </summary>
    public static void Reduced(ReadOnlySpan<double> terms, ReadOnlySpan<double> magnitudes, double divisor, float actual, double relative, double absolute, string what)
    {
        double sum = 0, size = 0;
        for (int i = 0; i < terms.Length; i++)
        {
            sum += terms[i];
            size += Math.Max(Math.Abs(terms[i]), magnitudes[i]);
        }

        double expected = sum / divisor;
        bool close = IsClose(expected, actual, relative, absolute, size / divisor);
        if (!close && size > float.MaxValue && !double.IsNaN(expected))
        {
            close = float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(sum);
        }

        if (!close)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected:R} (sum of {terms.Length} terms / {divisor}), got {actual:R}"));
        }
    }
}
