using FastLoss.Generation;

namespace FastLoss.Functional;

/// <summary>
/// The hyperbolic tangent; its gradient 1 - tanh^2. The vector APIs have no tanh, so this one runs as a
/// scalar loop (the generator says so with FL2001) while keeping MathF.Tanh's accuracy near 0.
/// </summary>
public static partial class TanhActivation
{
    [ElementwiseActivation]
    private static float PerElement(float x) => MathF.Tanh(x);
}
