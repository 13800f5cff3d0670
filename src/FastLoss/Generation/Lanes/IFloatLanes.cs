namespace FastLoss.Generation;

/// <summary>
/// The float operations the classification kernels need, at one vector width. The kernels are written once,
/// generic over this interface, and the JIT specializes them per width (512, 256, 128 bits, or one lane);
/// the one-lane width is the scalar path, so no kernel carries a separate scalar tail loop.
/// </summary>
/// <typeparam name="TVector">The vector type (for example <c>Vector512&lt;float&gt;</c>, or <c>float</c> itself).</typeparam>
public interface IFloatLanes<TVector>
    where TVector : struct
{
    /// <summary>The number of floats in one vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on hardware instructions here (the one-lane width always does).</summary>
    static abstract bool IsAccelerated { get; }

    static abstract TVector Load(ref float source, nuint index);

    static abstract void Store(TVector value, ref float destination, nuint index);

    static abstract TVector Broadcast(float value);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Subtract(TVector left, TVector right);

    static abstract TVector Multiply(TVector left, TVector right);

    static abstract TVector Divide(TVector left, TVector right);

    /// <summary><paramref name="left"/> * <paramref name="right"/> + <paramref name="addend"/>, fused where the hardware can.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    /// <summary>The lane-wise maximum; which operand wins on NaN is unspecified (a NaN still reaches the sum of exponentials).</summary>
    static abstract TVector Max(TVector left, TVector right);

    static abstract TVector Exp(TVector value);

    static abstract TVector Log(TVector value);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TVector value);

    /// <summary>The largest lane.</summary>
    static abstract float MaxAcross(TVector value);

    /// <summary>Lanes at index <paramref name="firstLane"/> and above from <paramref name="fresh"/>, the lanes below from <paramref name="old"/>.</summary>
    static abstract TVector SelectFrom(int firstLane, TVector fresh, TVector old);

    /// <summary>Lanes where <paramref name="mask"/> is positive from <paramref name="ifPositive"/>, the others from <paramref name="otherwise"/>.</summary>
    static abstract TVector SelectWherePositive(TVector mask, TVector ifPositive, TVector otherwise);
}
