using System.Runtime.CompilerServices;

namespace FastLoss.Generation;

/// <summary>One float per "vector": the scalar path, for short rows and machines without SIMD.</summary>
public readonly struct Lanes1 : IFloatLanes<float>
{
    public static int Count => 1;

    public static bool IsAccelerated => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nuint index) => Unsafe.Add(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float left, float right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float left, float right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float left, float right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float left, float right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float left, float right, float addend) => (left * right) + addend;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float left, float right) => MathF.Max(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float value) => MathF.Exp(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float value) => MathF.Log(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SelectFrom(int firstLane, float fresh, float old) => firstLane <= 0 ? fresh : old;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SelectWherePositive(float mask, float ifPositive, float otherwise) => mask > 0f ? ifPositive : otherwise;
}
