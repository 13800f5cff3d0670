using System.Globalization;
using System.Runtime.InteropServices;
using FastLoss.Functional;
using FastLoss.Functional.Classification;

namespace FastLoss.Generation;

/// <summary>
/// The checks a class loss's generated entry points run before anything is written: lengths against the layout,
/// overlaps, the reduction, torch's weight rule, and the scan of class-index targets. Public so that a loss declared
/// outside FastLoss (<see cref="ClassLossAttribute"/>) gets the same checks and messages.
/// </summary>
public static class ClassLossArguments
{
    /// <summary>Throws unless <paramref name="actual"/> is the <paramref name="expected"/> length that <paramref name="layout"/> needs.</summary>
    public static void RequireLength(int actual, int expected, string what, ClassLayout layout)
    {
        if (actual != expected)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{what} has {actual} elements but the layout {layout} needs {expected}."));
        }
    }

    /// <summary>Throws torch's message for a reduction that is not None, Mean or Sum.</summary>
    public static void RequireReduction(Reduction reduction)
    {
        if (reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum))
        {
            throw new ArgumentOutOfRangeException(nameof(reduction), $"{reduction} is not a valid value for reduction");
        }
    }

    /// <summary>Throws when <paramref name="written"/> overlaps <paramref name="read"/>: the kernels write while they read.</summary>
    public static void RequireDisjoint<TWritten, TRead>(Span<TWritten> written, ReadOnlySpan<TRead> read, string writtenName, string readName)
        where TWritten : unmanaged
        where TRead : unmanaged
    {
        if (MemoryMarshal.AsBytes(written).Overlaps(MemoryMarshal.AsBytes(read)))
        {
            throw new ArgumentException($"{writtenName} must not overlap {readName}.");
        }
    }

    /// <summary>torch's weight rule: empty, or one weight per class of the layout (torch's message otherwise).</summary>
    public static void RequireWeight(ReadOnlySpan<float> weight, int classes, bool probabilityTargets)
    {
        if (!weight.IsEmpty && weight.Length != classes)
        {
            throw ClassLossErrors.WeightLength(classes, [weight.Length], probabilityTargets);
        }
    }

    /// <summary>
    /// The pass's own check of the targets (<see cref="IClassLossPass{TOptions, TSelf}.CheckIndexTargets"/>), then the
    /// scan below with the options' weight and ignore index: the weighted mean's denominator.
    /// </summary>
    public static double ScanIndexTargets<TPass, TOptions>(ReadOnlySpan<long> targets, int classes, TOptions options)
        where TPass : IClassLossPass<TOptions, TPass>, allows ref struct
        where TOptions : IClassLossOptions, allows ref struct
    {
        TPass.CheckIndexTargets(targets, classes);
        return ScanIndexTargets(targets, classes, options.Weight, options.IgnoreIndex);
    }

    /// <summary>
    /// Throws torch's "Target t is out of bounds." for the first target outside [0, classes) that is not
    /// <paramref name="ignoreIndex"/>; returns the sum of the weights of the kept targets (their count without
    /// weights): the weighted mean's denominator.
    /// </summary>
    public static double ScanIndexTargets(ReadOnlySpan<long> targets, int classes, ReadOnlySpan<float> weight, long ignoreIndex)
    {
        if (weight.IsEmpty)
        {
            long kept = 0;
            foreach (long target in targets)
            {
                if (target == ignoreIndex)
                {
                    continue;
                }

                if ((ulong)target >= (ulong)classes)
                {
                    throw ClassLossErrors.TargetOutOfBounds(target);
                }

                kept++;
            }

            return kept;
        }

        double denominator = 0;
        foreach (long target in targets)
        {
            if (target == ignoreIndex)
            {
                continue;
            }

            if ((ulong)target >= (ulong)classes)
            {
                throw ClassLossErrors.TargetOutOfBounds(target);
            }

            denominator += weight[(int)target];
        }

        return denominator;
    }
}
