namespace FastLoss.Functional.Classification;

/// <summary>Checks class-index targets before anything is written, and finds the mean's denominator on the way.</summary>
internal static class ClassTargets
{
    /// <summary>
    /// Throws torch's "Target t is out of bounds." for the first target outside [0, classes) that is not
    /// <paramref name="ignoreIndex"/>; returns the sum of the weights of the kept targets (their count without weights).
    /// </summary>
    public static double Scan(ReadOnlySpan<long> targets, int classes, ReadOnlySpan<float> weight, long ignoreIndex)
    {
        double denominator = 0;
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
