using System.Globalization;
using CsCheck;

namespace FastLoss.Tests.Properties;

/// <summary>
/// Runs a property over generated cases with CsCheck. In CI the cases come from fixed seeds, so every run tests
/// the same cases (a bounded count: a few seconds per property); when one fails, CsCheck starts from its seed and
/// shrinks it to the smallest failing case it can find, and the failure names that case and the seed that replays
/// it. By hand: FASTLOSS_PROPERTY_ITERATIONS=100000 runs more cases (from seeds that are new each run), and
/// FASTLOSS_PROPERTY_SEED=&lt;seed&gt; replays one.
/// </summary>
internal static class PropertyCheck
{
    public const string IterationsVariable = "FASTLOSS_PROPERTY_ITERATIONS";
    public const string SeedVariable = "FASTLOSS_PROPERTY_SEED";

    /// <summary>How many further cases shrinking may try from a failing one.</summary>
    private const long ShrinkIterations = 2_000;

    public static void Run<T>(Gen<T> gen, Action<T> property, int ciIterations)
    {
        string? replay = Environment.GetEnvironmentVariable(SeedVariable);
        if (!string.IsNullOrEmpty(replay))
        {
            gen.Sample(property, seed: replay, iter: 1, threads: 1);
            return;
        }

        string? requested = Environment.GetEnvironmentVariable(IterationsVariable);
        if (!string.IsNullOrEmpty(requested))
        {
            long iterations = long.Parse(requested, NumberStyles.None, CultureInfo.InvariantCulture);
            gen.Sample(property, iter: iterations);
            return;
        }

        for (int i = 0; i < ciIterations; i++)
        {
            var pcg = new PCG((uint)(i + 1), 0x5EED_F00D_0000UL + (ulong)i);
            string seed = pcg.ToString();
            T value = gen.Generate(pcg, null, out _);
            try
            {
                property(value);
            }
            catch (Exception failure)
            {
                // CsCheck shrinks from this case: its report names the smallest failing case it found and its seed.
                string shrunk = "not reproduced from the seed";
                try
                {
                    gen.Sample(property, seed: seed, iter: ShrinkIterations, threads: 1);
                }
                catch (CsCheckException report)
                {
                    shrunk = report.Message + "\n" + report.InnerException?.Message;
                }

                throw new Xunit.Sdk.XunitException(
                    $"case {i} (seed {seed}) fails: {failure.Message}\n{value}\n\nshrunk: {shrunk}", failure);
            }
        }
    }
}
