using System.Globalization;
using FastLoss.Generation;

namespace FastLoss.Functional.Margin;

/// <summary>
/// The MultiMargin row kernel, as torch's CPU kernel: per row the target's score, then the hinges of the classes
/// before the target and after it (two runs, so the loops have no branch on the class), and in the same pass the
/// gradient, whose entry at the target is minus the sum of the others.
/// </summary>
internal readonly struct MultiMarginRows : IIndexTargetRows<MultiMarginPass>
{
    public static double IndexTargets(ReadOnlySpan<float> input, ClassLayout layout, ReadOnlySpan<long> targets, scoped ref MultiMarginPass pass)
    {
        if (layout.Inner != 1)
        {
            // Checked before anything is written: torch's multi_margin_loss takes (N, C) or (C) scores only.
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MultiMargin takes rows of contiguous classes (inner size 1), not the layout {layout}"), nameof(layout));
        }

        int classes = layout.Classes;
        bool squared = pass.Squared;
        double total = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            ReadOnlySpan<float> row = input.Slice(r * classes, classes);
            int y = (int)targets[r];
            float targetScore = row[y];
            float w = pass.Weight.IsEmpty ? 1f : pass.Weight[y];

            // A hinge that is not positive (a NaN score too, as in torch's kernel) adds 0.
            float offset = pass.Margin - targetScore;
            double sum = HingeSum(row[(y + 1)..], offset, w, squared, HingeSum(row[..y], offset, w, squared, 0));
            float value = (float)(sum / classes);
            total += value;
            if (!pass.EntryLosses.IsEmpty)
            {
                pass.EntryLosses[r] = value;
            }

            if (pass.Gradient.IsEmpty)
            {
                continue;
            }

            // d/dx[i] = p z^(p-1) w / C for each positive term, and the target's score takes minus their sum.
            Span<float> gradient = pass.Gradient.Slice(r * classes, classes);
            float factor = pass.GradientScale * (pass.EntryUpstream.IsEmpty ? 1f : pass.EntryUpstream[r]) * w / classes;
            float targetGradient = HingeGradients(row[..y], gradient[..y], offset, factor, squared, 0f);
            gradient[y] = HingeGradients(row[(y + 1)..], gradient[(y + 1)..], offset, factor, squared, targetGradient);
        }

        return total;
    }

    /// <summary><paramref name="sum"/> plus w z^p for each z = offset + score &gt; 0 over a run of classes other than the target.</summary>
    private static double HingeSum(ReadOnlySpan<float> scores, float offset, float w, bool squared, double sum)
    {
        foreach (float score in scores)
        {
            float z = offset + score;
            float term = (squared ? z * z : z) * w;
            sum += z > 0f ? term : 0f;
        }

        return sum;
    }

    /// <summary>
    /// Writes each class's d/dx = factor p z^(p-1) where z &gt; 0 over a run of classes other than the target, and
    /// returns <paramref name="targetGradient"/> minus their sum.
    /// </summary>
    private static float HingeGradients(ReadOnlySpan<float> scores, Span<float> gradient, float offset, float factor, bool squared, float targetGradient)
    {
        for (int i = 0; i < scores.Length; i++)
        {
            float z = offset + scores[i];
            float g = z > 0f ? factor * (squared ? 2f * z : 1f) : 0f;
            gradient[i] = g;
            targetGradient -= g;
        }

        return targetGradient;
    }
}
