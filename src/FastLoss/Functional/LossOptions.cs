using System.Globalization;

namespace FastLoss.Functional;

/// <summary>The checks torch makes of the elementwise losses' options, with its wording; NaN fails them as in torch.</summary>
internal static class LossOptions
{
    /// <summary>SmoothL1Loss: beta must be at least 0.</summary>
    public static float RequireBeta(float beta)
    {
        if (!(beta >= 0f))
        {
            throw new ArgumentOutOfRangeException(
                nameof(beta), string.Create(CultureInfo.InvariantCulture, $"smooth_l1_loss does not support negative values for beta (got {beta})"));
        }

        return beta;
    }

    /// <summary>HuberLoss: delta must be above 0.</summary>
    public static float RequireDelta(float delta)
    {
        if (!(delta > 0f))
        {
            throw new ArgumentOutOfRangeException(
                nameof(delta), string.Create(CultureInfo.InvariantCulture, $"huber_loss does not support non-positive values for delta (got {delta})"));
        }

        return delta;
    }
}
