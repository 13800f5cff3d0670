using System.Globalization;
using System.Text;

namespace FastLoss.TorchParity.Tests;

/// <summary>
/// Element-wise comparison with an explicit tolerance: |actual - expected| &lt;= relative * |expected| + absolute * scale,
/// where scale is 1 or, when given, the element's own scale (the size of the rounding its computation can make).
/// NaN matches NaN and an infinity matches the same infinity.
/// </summary>
internal static class Closeness
{
    public static void AssertClose(
        ReadOnlySpan<float> expected,
        ReadOnlySpan<float> actual,
        double relative,
        double absolute,
        string what,
        ReadOnlySpan<float> absoluteScale = default) =>
        AssertCloseToEither(expected, default, actual, relative, absolute, what, absoluteScale);

    /// <summary>
    /// As <see cref="AssertClose(ReadOnlySpan{float}, ReadOnlySpan{float}, double, double, string, ReadOnlySpan{float})"/>,
    /// where each element may instead match <paramref name="alternative"/> (when not empty): torch's float64 answer
    /// rounded to float32, for elements whose float32 computation overflows an intermediate that FastLoss's does not.
    /// </summary>
    public static void AssertCloseToEither(
        ReadOnlySpan<float> expected,
        ReadOnlySpan<float> alternative,
        ReadOnlySpan<float> actual,
        double relative,
        double absolute,
        string what,
        ReadOnlySpan<float> absoluteScale = default)
    {
        Assert.True(expected.Length == actual.Length,
            $"{what}: torch has {expected.Length} elements, FastLoss {actual.Length}");

        int failures = 0;
        int first = -1;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = absoluteScale.IsEmpty ? 1 : absoluteScale[i];
            double excess = Excess(expected[i], actual[i], relative, absolute * scale);
            if (excess > 0 && !alternative.IsEmpty)
            {
                excess = Math.Min(excess, Excess(alternative[i], actual[i], relative, absolute * scale));
            }

            if (excess > 0)
            {
                failures++;
                if (first < 0)
                {
                    first = i;
                }

                if (excess > worst)
                {
                    worst = excess;
                    worstAt = i;
                }
            }
        }

        if (failures > 0)
        {
            var message = new StringBuilder();
            message.Append(CultureInfo.InvariantCulture, $"{what}: {failures} of {expected.Length} elements differ beyond relative {relative:G3} + absolute {absolute:G3}");
            message.Append(CultureInfo.InvariantCulture, $"; first at [{first}]: torch {expected[first]:R}, FastLoss {actual[first]:R}");
            message.Append(CultureInfo.InvariantCulture, $"; worst at [{worstAt}]: torch {expected[worstAt]:R}, FastLoss {actual[worstAt]:R}");
            Assert.Fail(message.ToString());
        }
    }

    public static void AssertClose(float expected, float actual, double relative, double absolute, string what) =>
        AssertClose([expected], [actual], relative, absolute, what);

    /// <summary>How far beyond the tolerance the pair is (0 or less: within it).</summary>
    private static double Excess(float expected, float actual, double relative, double absolute)
    {
        if (float.IsNaN(expected) || float.IsNaN(actual))
        {
            return float.IsNaN(expected) && float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }

        if (float.IsInfinity(expected) || float.IsInfinity(actual))
        {
            return expected == actual ? 0 : double.PositiveInfinity;
        }

        double difference = Math.Abs((double)actual - expected);
        return difference - ((relative * Math.Abs((double)expected)) + absolute);
    }
}
