using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FastLoss.Kernels;

/// <summary>
/// Four doubles in a <see cref="Vector256{T}"/> with the arithmetic operators of generic math, so that a formula
/// written once over <c>T</c> (<see cref="WinogradConvolution.KernelTransform{T}"/>) runs on four lanes as well as
/// on one <see cref="double"/>. Only where <see cref="Vector256.IsHardwareAccelerated"/>.
/// </summary>
internal readonly struct Float64x4(Vector256<double> value) :
    IAdditionOperators<Float64x4, Float64x4, Float64x4>,
    ISubtractionOperators<Float64x4, Float64x4, Float64x4>,
    IMultiplyOperators<Float64x4, double, Float64x4>,
    IUnaryNegationOperators<Float64x4, Float64x4>
{
    public const int Count = 4;

    public Vector256<double> Value => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator +(Float64x4 left, Float64x4 right) => new(left.Value + right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator -(Float64x4 left, Float64x4 right) => new(left.Value - right.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator *(Float64x4 left, double right) => new(left.Value * right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float64x4 operator -(Float64x4 value) => new(-value.Value);
}
