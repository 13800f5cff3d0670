namespace FastLoss.Data;

/// <summary>
/// Steele, Lea and Flood's SplitMix64: a 64-bit counter passed through a strong mixer. Used to expand a
/// small seed into the 256-bit state of <see cref="Xoshiro256StarStar"/>, as that generator's authors advise.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
