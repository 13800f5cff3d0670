using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;


namespace FastLoss.Generation;

/// <summary>Four floats per vector (SSE, NEON).</summary>
public readonly struct Lanes128 : IFloatLanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static bool IsAccelerated => Vector128.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, nuint index) => value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) =>
        Vector128.MultiplyAddEstimate(left, right, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> left, Vector128<float> right) => Vector128.MaxNative(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> value) => FastVectorMath.Exp(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log(Vector128<float> value) => FastVectorMath.Log(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> value) =>
        MathF.Max(MathF.Max(value.GetElement(0), value.GetElement(1)), MathF.Max(value.GetElement(2), value.GetElement(3)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SelectFrom(int firstLane, Vector128<float> fresh, Vector128<float> old) =>
        Vector128.ConditionalSelect(
            Vector128.GreaterThanOrEqual(Vector128<float>.Indices, Vector128.Create((float)firstLane)), fresh, old);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SelectWherePositive(Vector128<float> mask, Vector128<float> ifPositive, Vector128<float> otherwise) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(mask, Vector128<float>.Zero), ifPositive, otherwise);
}
