namespace FastLoss;

/// <summary>
/// The project's own seedable random source (torch.Generator's role): xoshiro256** seeded through SplitMix64,
/// normals by Box-Muller. The same seed gives the same numbers on every machine and runtime, so initialisation
/// and shuffling are reproducible. The numbers differ from torch's Mersenne Twister streams.
/// </summary>
public sealed class Generator
{
    /// <summary>The seed of <see cref="Default"/> until <see cref="ManualSeed"/> changes it.</summary>
    public const long DefaultSeed = 67280421310721;

    private readonly Lock _gate = new();
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    public Generator(long seed = DefaultSeed) => ManualSeed(seed);

    /// <summary>The generator modules and initialisers use when none is given (torch's default generator).</summary>
    public static Generator Default { get; } = new();

    /// <summary>The seed the current stream started from.</summary>
    public long InitialSeed { get; private set; }

    /// <summary>Restarts the stream from <paramref name="seed"/> (torch's manual_seed); returns this generator.</summary>
    public Generator ManualSeed(long seed)
    {
        lock (_gate)
        {
            ulong state = unchecked((ulong)seed);
            _s0 = SplitMix64(ref state);
            _s1 = SplitMix64(ref state);
            _s2 = SplitMix64(ref state);
            _s3 = SplitMix64(ref state);
            _hasSpareNormal = false;
            InitialSeed = seed;
        }

        return this;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        lock (_gate)
        {
            return Next();
        }
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        lock (_gate)
        {
            return UnitDouble(Next());
        }
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias.</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exclusiveMax), exclusiveMax, "The upper bound must be positive.");
        }

        lock (_gate)
        {
            // Lemire's multiply-shift with rejection of the biased low range.
            ulong bound = (ulong)exclusiveMax;
            ulong threshold = (0UL - bound) % bound;
            while (true)
            {
                UInt128 product = (UInt128)Next() * bound;
                if ((ulong)product >= threshold)
                {
                    return (int)(ulong)(product >> 64);
                }
            }
        }
    }

    /// <summary>A standard normal sample (mean 0, standard deviation 1).</summary>
    public double NextNormal()
    {
        lock (_gate)
        {
            return Normal();
        }
    }

    /// <summary>Fills <paramref name="values"/> with uniform samples in [low, high) (torch's uniform_).</summary>
    public void FillUniform(Span<float> values, double low, double high)
    {
        lock (_gate)
        {
            double width = high - low;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(low + (width * UnitDouble(Next())));
            }
        }
    }

    /// <summary>Fills <paramref name="values"/> with normal samples (torch's normal_).</summary>
    public void FillNormal(Span<float> values, double mean, double std)
    {
        lock (_gate)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(mean + (std * Normal()));
            }
        }
    }

    private double Normal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }

        // 1 - u lies in (0, 1], so the logarithm is finite.
        double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - UnitDouble(Next())));
        double angle = 2.0 * Math.PI * UnitDouble(Next());
        _spareNormal = radius * Math.Sin(angle);
        _hasSpareNormal = true;
        return radius * Math.Cos(angle);
    }

    private static double UnitDouble(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    // xoshiro256** (Blackman and Vigna).
    private ulong Next()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
