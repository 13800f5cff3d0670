using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastLoss.Generation;

/// <summary>Sixteen floats per vector (AVX-512); exp and log in float32 (<see cref="FastVectorMath"/>).</summary>
public readonly struct Lanes512 : IFloatLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) =>
        Vector512.MultiplyAddEstimate(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) => Vector512.MaxNative(left, right);

    // Float32 polynomials (about 1 ulp): the runtime's Vector512.Exp/Log widen to double and call out.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> value) => FastVectorMath.Exp(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> value) => FastVectorMath.Log(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> value) =>
        Lanes256.MaxAcross(Vector256.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SelectFrom(int firstLane, Vector512<float> fresh, Vector512<float> old) =>
        Vector512.ConditionalSelect(
            Vector512.GreaterThanOrEqual(Vector512<float>.Indices, Vector512.Create((float)firstLane)), fresh, old);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SelectWherePositive(Vector512<float> mask, Vector512<float> ifPositive, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(mask, Vector512<float>.Zero), ifPositive, otherwise);
}
