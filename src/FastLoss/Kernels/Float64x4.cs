using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastLoss.Kernels;

/// <summary>Four doubles in a <see cref="Vector256{T}"/>; only where <see cref="Vector256.IsHardwareAccelerated"/>.</summary>
internal readonly unsafe struct Float64x4(Vector256<double> value) : IFloat64Lanes<Float64x4>
{
    public static int Count => 4;

    public Vector256<double> Value => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 Gather(float** sources, int index) =>
        new(Vector256.Create(sources[0][index], sources[1][index], sources[2][index], sources[3][index]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* source, float* destination) => Vector128.Load(source).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Narrow(Float64x4 value, float* destination) =>
        Vector128.Narrow(value.Value.GetLower(), value.Value.GetUpper()).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator +(Float64x4 left, Float64x4 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator -(Float64x4 left, Float64x4 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator *(Float64x4 left, double right) => new(left.Value * right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator -(Float64x4 value) => new(-value.Value);
}
