using System.Globalization;
using System.Runtime.InteropServices;

namespace FastLoss.Functional.Classification;

/// <summary>Length and overlap checks of the span-level kernels, run before anything is written.</summary>
internal static class SpanArguments
{
    public static void RequireLength(int actual, int expected, string what, ClassLayout layout)
    {
        if (actual != expected)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{what} has {actual} elements but the layout {layout} needs {expected}."));
        }
    }

    public static void RequireReduction(Reduction reduction)
    {
        if (reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), $"{reduction} is not a valid value for reduction");
        }
    }

    public static void RequireDisjoint<TWritten, TRead>(Span<TWritten> written, ReadOnlySpan<TRead> read, string writtenName, string readName)
        where TWritten : unmanaged
        where TRead : unmanaged
    {
        if (MemoryMarshal.AsBytes(written).Overlaps(MemoryMarshal.AsBytes(read)))
        {
            throw new ArgumentException($"{writtenName} must not overlap {readName}.");
        }
    }

    /// <summary>torch's weight rule, checked against the class count of the layout.</summary>
    public static void RequireWeight(ReadOnlySpan<float> weight, int classes, bool probabilityTargets)
    {
        if (!weight.IsEmpty && weight.Length != classes)
        {
            throw ClassLossErrors.WeightLength(classes, [weight.Length], probabilityTargets);
        }
    }

    /// <summary>torch accepts label smoothing in [0, 1]; a negative or NaN value is refused here too.</summary>
    public static void RequireLabelSmoothing(float labelSmoothing)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            throw ClassLossErrors.LabelSmoothing(labelSmoothing);
        }
    }
}
