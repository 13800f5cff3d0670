using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FastLoss.Kernels;

/// <summary>
/// a * b + c, fused where the hardware has an FMA instruction and rounded twice where it has not: without the
/// instruction, MathF.FusedMultiplyAdd and Vector128.FusedMultiplyAdd compute the exact fused result in software,
/// many times slower than a multiply and an add. The choice is a constant of the machine (of the instruction set
/// a NativeAOT build targets), so each machine's results are still reproducible.
/// </summary>
internal static class HardwareFma
{
    /// <summary>Whether <see cref="MultiplyAdd(float, float, float)"/> rounds once.</summary>
    public static bool IsFused => Fma.IsSupported || AdvSimd.IsSupported;

    // The conditions below are spelled out rather than read through IsFused: NativeAOT does not inline a property
    // call inside an inlined method, and a call per multiply-add made its 128-bit matrix product five times slower.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(a, b, c) : (a * b) + c;
}
