namespace FastLoss.Cli.Training;

/// <summary>Reading class predictions from a row of logits.</summary>
internal static class Predictions
{
    /// <summary>The index of the first largest value (torch.argmax's choice on ties); a NaN counts as the largest.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (float.IsNaN(values[best]))
            {
                break;
            }

            if (values[i] > values[best] || float.IsNaN(values[i]))
            {
                best = i;
            }
        }

        return best;
    }
}
