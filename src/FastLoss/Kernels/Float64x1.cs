using System.Runtime.CompilerServices;

namespace FastLoss.Kernels;

/// <summary>One double: the lanes of <see cref="IFloat64Lanes{TSelf}"/> where 256-bit vectors are not fast.</summary>
internal readonly unsafe struct Float64x1(double value) : IFloat64Lanes<Float64x1>
{
    public static int Count => 1;

    public double Value => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x1 Gather(float** sources, int index) => new(sources[0][index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* source, float* destination) => *destination = *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Narrow(Float64x1 value, float* destination) => *destination = (float)value.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x1 operator +(Float64x1 left, Float64x1 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x1 operator -(Float64x1 left, Float64x1 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x1 operator *(Float64x1 left, double right) => new(left.Value * right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x1 operator -(Float64x1 value) => new(-value.Value);
}
