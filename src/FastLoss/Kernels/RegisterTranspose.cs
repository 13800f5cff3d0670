using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FastLoss.Kernels;

/// <summary>
/// An 8 x 8 block of floats transposed in AVX registers: how the GEMM packs a transposed operand and how
/// Winograd lays an image out channel-last. Callers check <see cref="Avx.IsSupported"/>.
/// </summary>
internal static unsafe class RegisterTranspose
{
    /// <summary>
    /// Writes the transpose of the 8 x 8 block at column <paramref name="column"/> of the 8 <paramref name="rows"/>,
    /// times <paramref name="scale"/>, to 8 rows of <paramref name="target"/> (row stride
    /// <paramref name="targetStride"/>): unpack pairs, shuffle quads, swap 128-bit halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(float** rows, int column, float* target, int targetStride, float scale)
    {
        Vector256<float> r0 = Avx.LoadVector256(rows[0] + column);
        Vector256<float> r1 = Avx.LoadVector256(rows[1] + column);
        Vector256<float> r2 = Avx.LoadVector256(rows[2] + column);
        Vector256<float> r3 = Avx.LoadVector256(rows[3] + column);
        Vector256<float> r4 = Avx.LoadVector256(rows[4] + column);
        Vector256<float> r5 = Avx.LoadVector256(rows[5] + column);
        Vector256<float> r6 = Avx.LoadVector256(rows[6] + column);
        Vector256<float> r7 = Avx.LoadVector256(rows[7] + column);

        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        Vector256<float> factor = Vector256.Create(scale);
        nint stride = targetStride;
        Avx.Store(target, Avx.Permute2x128(s0, s4, 0x20) * factor);
        Avx.Store(target + stride, Avx.Permute2x128(s1, s5, 0x20) * factor);
        Avx.Store(target + (2 * stride), Avx.Permute2x128(s2, s6, 0x20) * factor);
        Avx.Store(target + (3 * stride), Avx.Permute2x128(s3, s7, 0x20) * factor);
        Avx.Store(target + (4 * stride), Avx.Permute2x128(s0, s4, 0x31) * factor);
        Avx.Store(target + (5 * stride), Avx.Permute2x128(s1, s5, 0x31) * factor);
        Avx.Store(target + (6 * stride), Avx.Permute2x128(s2, s6, 0x31) * factor);
        Avx.Store(target + (7 * stride), Avx.Permute2x128(s3, s7, 0x31) * factor);
    }
}
