using FastLoss.Data;

namespace FastLoss;

/// <summary>
/// The project's own seedable random source (torch.Generator's role): xoshiro256** seeded through SplitMix64
/// (the algorithm the data loader shuffles with), normals by Box-Muller. The same seed gives the same numbers
/// on every machine and runtime, so initialisation is reproducible. The numbers differ from torch's streams.
/// </summary>
public sealed class Generator
{
    /// <summary>The seed of <see cref="Default"/> until <see cref="ManualSeed"/> changes it.</summary>
    public const long DefaultSeed = 67280421310721;

    private readonly Lock _gate = new();
    private Xoshiro256StarStar _state;
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
            _state = new Xoshiro256StarStar(unchecked((ulong)seed));
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
            return (int)_state.NextBelow((uint)exclusiveMax);
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

    private ulong Next() => _state.NextUInt64();
}
