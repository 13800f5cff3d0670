using System.Numerics;

namespace FastLoss.Kernels;

/// <summary>
/// Float64 lanes for formulas written once over <typeparamref name="TSelf"/> (<see cref="WinogradConvolution"/>'s
/// weight transform): the arithmetic of generic math, and the conversions from and to float32 that take a whole
/// vector at a time (one instruction each, where a lane at a time would be the transform's largest cost).
/// </summary>
internal unsafe interface IFloat64Lanes<TSelf> :
    IAdditionOperators<TSelf, TSelf, TSelf>,
    ISubtractionOperators<TSelf, TSelf, TSelf>,
    IMultiplyOperators<TSelf, double, TSelf>,
    IUnaryNegationOperators<TSelf, TSelf>
    where TSelf : unmanaged, IFloat64Lanes<TSelf>
{
    /// <summary>The number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>
    /// The float at <paramref name="index"/> of each of <see cref="Count"/> arrays, widened. Read lane by lane into
    /// the vector rather than stored lane by lane and loaded whole: a load over several smaller stores still in
    /// flight waits for them to reach the cache.
    /// </summary>
    static abstract TSelf Gather(float** sources, int index);

    /// <summary><see cref="Count"/> floats copied as one piece.</summary>
    static abstract void Copy(float* source, float* destination);

    /// <summary>The lanes rounded to float and stored at <paramref name="destination"/>.</summary>
    static abstract void Narrow(TSelf value, float* destination);
}
