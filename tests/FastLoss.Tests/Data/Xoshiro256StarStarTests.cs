using FastLoss.Data;

namespace FastLoss.Tests.Data;

/// <summary>The shuffle's generator against the published outputs of its algorithms.</summary>
public sealed class Xoshiro256StarStarTests
{
    [Fact]
    public void Matches_the_reference_outputs_from_state_1_2_3_4()
    {
        // The first outputs of the authors' xoshiro256starstar.c from s = {1, 2, 3, 4}.
        var generator = new Xoshiro256StarStar(1, 2, 3, 4);
        ulong[] expected =
        [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
            16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576,
        ];

        foreach (ulong value in expected)
        {
            Assert.Equal(value, generator.NextUInt64());
        }
    }

    [Fact]
    public void SplitMix64_matches_the_reference_outputs_from_seed_0()
    {
        var mixer = new SplitMix64(0);

        Assert.Equal(0xE220A8397B1DCDAFUL, mixer.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, mixer.Next());
        Assert.Equal(0x06C45D188009454FUL, mixer.Next());
    }

    [Fact]
    public void Bounded_draws_stay_in_range_and_cover_it_evenly()
    {
        var generator = new Xoshiro256StarStar(42);
        var counts = new int[10];
        for (int i = 0; i < 100_000; i++)
        {
            uint value = generator.NextBelow(10);
            Assert.InRange(value, 0u, 9u);
            counts[value]++;
        }

        // Each bucket expects 10,000 (sd about 95); 600 is over six standard deviations, and the seed is fixed.
        Assert.All(counts, c => Assert.InRange(c, 9_400, 10_600));
        Assert.Equal(0u, generator.NextBelow(1));
    }

    [Fact]
    public void Shuffle_is_a_permutation_that_depends_on_the_seed()
    {
        int[] a = [.. Enumerable.Range(0, 100)];
        int[] b = [.. Enumerable.Range(0, 100)];
        int[] c = [.. Enumerable.Range(0, 100)];
        new Xoshiro256StarStar(1).Shuffle(a);
        new Xoshiro256StarStar(1).Shuffle(b);
        new Xoshiro256StarStar(2).Shuffle(c);

        Assert.Equal(Enumerable.Range(0, 100), a.Order());
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(Enumerable.Range(0, 100), a);
    }

    [Fact]
    public void Epoch_keys_are_distinct_for_distinct_seed_and_epoch_pairs()
    {
        var keys = new HashSet<ulong>();
        foreach (int seed in new[] { 0, 1, -1, int.MaxValue, int.MinValue })
        {
            for (int epoch = 0; epoch < 50; epoch++)
            {
                Assert.True(keys.Add(DataLoader.EpochKey(seed, epoch)));
            }
        }
    }
}
