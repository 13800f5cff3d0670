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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => IsFused ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        IsFused ? Vector128.FusedMultiplyAdd(a, b, c) : (a * b) + c;
}
