using System.Numerics;
using FastLoss.Generation;

namespace FastLoss.Data;

/// <summary>
/// Blackman and Vigna's xoshiro256** generator: a fixed, published algorithm, so a seed gives the same
/// sequence on every runtime and version (System.Random's algorithm is unspecified). A struct, so drawing
/// numbers allocates nothing.
/// </summary>
internal struct Xoshiro256StarStar
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>A generator whose state is four outputs of SplitMix64 seeded with <paramref name="seed"/>.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var mixer = new SplitMix64(seed);
        _s0 = mixer.Next();
        _s1 = mixer.Next();
        _s2 = mixer.Next();
        _s3 = mixer.Next();
    }

    /// <summary>A generator with the given raw state (not all zero), for checking against published outputs.</summary>
    public Xoshiro256StarStar(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("The xoshiro256** state must not be all zero.");
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    [HotPath]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire's multiply-and-reject
    /// on the upper 32 bits of an output).
    /// </summary>
    [HotPath]
    public uint NextBelow(uint bound)
    {
        if (bound == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), "The bound must be positive.");
        }

        ulong product = (NextUInt64() >> 32) * bound;
        uint low = (uint)product;
        if (low < bound)
        {
            uint threshold = (0u - bound) % bound;
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * bound;
                low = (uint)product;
            }
        }

        return (uint)(product >> 32);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates, from the last element down).</summary>
    [HotPath]
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)NextBelow((uint)i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
