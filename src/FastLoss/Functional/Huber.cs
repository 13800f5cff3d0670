using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>HuberLoss: quadratic below <c>delta</c>, then linear with slope delta.</summary>
public static partial class Huber
{
    [ElementwiseLoss(CheckOptions = nameof(CheckOptions))]
    private static float PerElement(float x, float y, float delta = 1f) =>
        MathF.Abs(x - y) < delta ? 0.5f * (x - y) * (x - y) : delta * (MathF.Abs(x - y) - (0.5f * delta));

    private static void CheckOptions(float delta) => LossOptions.RequireDelta(delta);
}
