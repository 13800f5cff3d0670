using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>The checks of a CTC call, in libtorch's order, so the first problem reported is torch's first.</summary>
internal static class CtcArguments
{
    /// <summary>
    /// Checks the blank, the lengths and the labels (for padded targets, that there is one row per sequence is the
    /// caller's check, made from the tensor's shape or the span's length) and returns the longest target length.
    /// </summary>
    [HotPath]
    public static int Check(CtcLayout layout, CtcTargets targets, int blank, int paddedRows)
    {
        if (layout.Length == 0)
        {
            throw CtcErrors.EmptyLogProbs();
        }

        if (blank < 0 || blank >= layout.Classes)
        {
            throw CtcErrors.BlankOutOfRange();
        }

        if (targets.InputLengths.Length != layout.Batch)
        {
            throw CtcErrors.InputLengthsCount();
        }

        if (targets.TargetLengths.Length != layout.Batch)
        {
            throw CtcErrors.TargetLengthsCount();
        }

        long total = 0;
        int longest = 0;
        foreach (int length in targets.TargetLengths)
        {
            if (length < 0)
            {
                throw CtcErrors.NegativeLength("target_lengths", length);
            }

            total += length;
            longest = Math.Max(longest, length);
        }

        if (targets.IsConcatenated)
        {
            if (targets.Labels.Length != total)
            {
                throw CtcErrors.TargetsSize(total, targets.Labels.Length);
            }
        }
        else
        {
            if (paddedRows != layout.Batch)
            {
                throw CtcErrors.TargetsSize(layout.Batch, paddedRows);
            }

            if (targets.PaddedLength < longest)
            {
                throw CtcErrors.PaddedTargetsTooShort(longest, targets.PaddedLength);
            }
        }

        foreach (int length in targets.InputLengths)
        {
            if (length < 0)
            {
                throw CtcErrors.NegativeLength("input_lengths", length);
            }

            if (length > layout.Time)
            {
                throw CtcErrors.InputLengthAboveTime(layout.Time, length);
            }
        }

        for (int n = 0, offset = 0; n < layout.Batch; n++)
        {
            int start = targets.IsConcatenated ? offset : n * targets.PaddedLength;
            foreach (long label in targets.Labels.Slice(start, targets.TargetLengths[n]))
            {
                if (label < 0 || label >= layout.Classes)
                {
                    throw CtcErrors.LabelOutOfBounds(label);
                }
            }

            offset += targets.TargetLengths[n];
        }

        return longest;
    }
}
