using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;


namespace FastLoss.Generation;

/// <summary>Eight floats per vector (AVX2).</summary>
public readonly struct Lanes256 : IFloatLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) =>
        Vector256.MultiplyAddEstimate(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> left, Vector256<float> right) => Vector256.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> value) => FastVectorMath.Exp(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> value) => FastVectorMath.Log(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> value) =>
        Lanes128.MaxAcross(Vector128.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SelectFrom(int firstLane, Vector256<float> fresh, Vector256<float> old) =>
        Vector256.ConditionalSelect(
            Vector256.GreaterThanOrEqual(Vector256<float>.Indices, Vector256.Create((float)firstLane)), fresh, old);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SelectWherePositive(Vector256<float> mask, Vector256<float> ifPositive, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(mask, Vector256<float>.Zero), ifPositive, otherwise);
}
