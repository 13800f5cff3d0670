using FastLoss.Data;

namespace FastLoss.Tests.Data;

/// <summary>torch's batching semantics, the seeded shuffle, and allocation-free epochs.</summary>
public sealed class DataLoaderTests
{
    // An empty Compose passes the raw byte values through, so images can be traced back to their samples.
    private static readonly ImageTransform s_raw = new Compose();

    /// <summary>The sample indices of every batch of one epoch, read back from the images, and the batch shapes.</summary>
    private static List<int[]> Epoch(DataLoader loader, SyntheticImageDataset dataset)
    {
        int plane = dataset.Height * dataset.Width;
        int imageSize = dataset.Channels * plane;
        var batches = new List<int[]>();
        foreach (var (images, labels) in loader)
        {
            int size = labels.Length;
            Assert.Equal([size, dataset.Channels, dataset.Height, dataset.Width], images.Shape.ToArray());
            var indices = new int[size];
            for (int b = 0; b < size; b++)
            {
                indices[b] = SyntheticImageDataset.IndexOf(images.Span.Slice(b * imageSize, imageSize), plane);
                Assert.Equal(indices[b] % 10, labels.Span[b]);
            }

            batches.Add(indices);
        }

        return batches;
    }

    [Fact]
    public void Last_short_batch_is_kept_by_default()
    {
        var dataset = new SyntheticImageDataset(10);
        var loader = new DataLoader(dataset, batchSize: 3, transform: s_raw);

        List<int[]> batches = Epoch(loader, dataset);

        Assert.Equal(4, loader.Count);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]], batches);
    }

    [Fact]
    public void Drop_last_leaves_out_the_short_batch()
    {
        var dataset = new SyntheticImageDataset(10);
        var loader = new DataLoader(dataset, batchSize: 3, dropLast: true, transform: s_raw);

        List<int[]> batches = Epoch(loader, dataset);

        Assert.Equal(3, loader.Count);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7, 8]], batches);
    }

    [Theory]
    [InlineData(10, 5, false, new[] { 5, 5 })]
    [InlineData(10, 5, true, new[] { 5, 5 })]
    [InlineData(5, 8, false, new[] { 5 })]
    [InlineData(5, 8, true, new int[0])]
    [InlineData(1, 1, false, new[] { 1 })]
    [InlineData(7, 1, true, new[] { 1, 1, 1, 1, 1, 1, 1 })]
    public void Batch_sizes_follow_torch(int count, int batchSize, bool dropLast, int[] expectedSizes)
    {
        var dataset = new SyntheticImageDataset(count);
        var loader = new DataLoader(dataset, batchSize, dropLast: dropLast, transform: s_raw);

        List<int[]> batches = Epoch(loader, dataset);

        Assert.Equal(expectedSizes, batches.Select(b => b.Length));
        Assert.Equal(expectedSizes.Length, loader.Count);
    }

    [Fact]
    public void Batch_tensors_are_the_same_objects_every_epoch()
    {
        var dataset = new SyntheticImageDataset(7);
        var loader = new DataLoader(dataset, batchSize: 3, transform: s_raw);
        var seen = new List<(Tensor, IndexTensor)>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            while (loader.TryNext(out Tensor? images, out IndexTensor? labels))
            {
                seen.Add((images, labels));
            }
        }

        // Epoch one: full, full, short; epoch two reuses exactly those objects.
        Assert.Equal(6, seen.Count);
        Assert.Same(seen[0].Item1, seen[1].Item1);
        Assert.NotSame(seen[0].Item1, seen[2].Item1);
        Assert.Same(seen[2].Item1, seen[5].Item1);
        Assert.Same(seen[2].Item2, seen[5].Item2);
        Assert.Equal([1, 2, 2, 3], seen[2].Item1.Shape.ToArray());
    }

    [Fact]
    public void Without_shuffle_every_epoch_is_in_dataset_order()
    {
        var dataset = new SyntheticImageDataset(600);
        var loader = new DataLoader(dataset, batchSize: 64, transform: s_raw);

        for (int epoch = 0; epoch < 2; epoch++)
        {
            int[] order = [.. Epoch(loader, dataset).SelectMany(b => b)];
            Assert.Equal(Enumerable.Range(0, 600), order);
        }
    }

    [Fact]
    public void Shuffle_is_a_permutation_reproducible_from_the_seed_and_new_each_epoch()
    {
        var dataset = new SyntheticImageDataset(1000);
        var first = new DataLoader(dataset, batchSize: 32, shuffle: true, seed: 7, transform: s_raw);
        var second = new DataLoader(dataset, batchSize: 32, shuffle: true, seed: 7, transform: s_raw);
        var otherSeed = new DataLoader(dataset, batchSize: 32, shuffle: true, seed: 8, transform: s_raw);

        var epochs = new List<int[]>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            int[] order = [.. Epoch(first, dataset).SelectMany(b => b)];
            Assert.Equal(Enumerable.Range(0, 1000), order.Order());
            Assert.Equal(order, Epoch(second, dataset).SelectMany(b => b));
            Assert.NotEqual(order, Epoch(otherSeed, dataset).SelectMany(b => b));
            Assert.NotEqual(Enumerable.Range(0, 1000), order);
            epochs.Add(order);
        }

        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.NotEqual(epochs[1], epochs[2]);
        Assert.Equal(3, first.Epoch);
    }

    [Fact]
    public void Setting_the_epoch_reproduces_that_epochs_shuffle()
    {
        var dataset = new SyntheticImageDataset(300);
        var running = new DataLoader(dataset, batchSize: 50, shuffle: true, seed: 3, transform: s_raw);
        Epoch(running, dataset);
        Epoch(running, dataset);
        int[] third = [.. Epoch(running, dataset).SelectMany(b => b)];

        var resumed = new DataLoader(dataset, batchSize: 50, shuffle: true, seed: 3, transform: s_raw) { Epoch = 2 };

        Assert.Equal(third, Epoch(resumed, dataset).SelectMany(b => b));
    }

    [Fact]
    public void Shuffle_with_drop_last_draws_the_dropped_samples_differently_each_epoch()
    {
        var dataset = new SyntheticImageDataset(10);
        var loader = new DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1, dropLast: true, transform: s_raw);

        var left = new HashSet<string>();
        for (int epoch = 0; epoch < 5; epoch++)
        {
            int[] used = [.. Epoch(loader, dataset).SelectMany(b => b)];
            Assert.Equal(8, used.Length);
            Assert.Equal(8, used.Distinct().Count());
            left.Add(string.Join(",", Enumerable.Range(0, 10).Except(used).Order()));
        }

        Assert.True(left.Count > 1, "every epoch dropped the same two samples");
    }

    [Fact]
    public void TryNext_returns_false_at_the_end_of_an_epoch_then_starts_the_next()
    {
        var dataset = new SyntheticImageDataset(5);
        var loader = new DataLoader(dataset, batchSize: 2, transform: s_raw);
        var sizes = new List<int>();
        for (int call = 0; call < 8; call++)
        {
            sizes.Add(loader.TryNext(out _, out IndexTensor? labels) ? labels.Length : 0);
        }

        Assert.Equal([2, 2, 1, 0, 2, 2, 1, 0], sizes);
        Assert.Equal(2, loader.Epoch);
        Assert.False(loader.EpochInProgress);
    }

    [Fact]
    public void A_new_epoch_under_a_running_enumeration_is_reported()
    {
        var dataset = new SyntheticImageDataset(10);
        var loader = new DataLoader(dataset, batchSize: 2, transform: s_raw);

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (DataLoaderBatch batch in loader)
            {
                foreach (DataLoaderBatch inner in loader)
                {
                }
            }
        });

        Assert.Contains("started another epoch while this enumeration was running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_transform_is_ToTensor()
    {
        var dataset = new SyntheticImageDataset(300);
        var loader = new DataLoader(dataset, batchSize: 300);

        Assert.IsType<ToTensor>(loader.Transform);
        Assert.True(loader.TryNext(out Tensor? images, out _));
        // Sample 255: first plane 255 % 251 = 4, second plane 255 / 251 = 1. Tolerance 0: the same float32 division.
        Assert.Equal(4f / 255f, images[255, 0, 1, 2]);
        Assert.Equal(1f / 255f, images[255, 1, 0, 0]);
    }

    [Fact]
    public void Bad_arguments_get_torchs_messages()
    {
        var dataset = new SyntheticImageDataset(4);

        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(dataset, batchSize: 0));
        var empty = Assert.Throws<ArgumentException>(() => new DataLoader(new SyntheticImageDataset(0), batchSize: 2, shuffle: true));
        var channels = Assert.Throws<ArgumentException>(
            () => new DataLoader(dataset, batchSize: 2, transform: new Normalize([0.5f, 0.5f, 0.5f], [1f, 1f, 1f])));

        Assert.Contains("batch_size should be a positive integer value, but got batch_size=0", zero.Message, StringComparison.Ordinal);
        Assert.Contains("num_samples should be a positive integer value, but got num_samples=0", empty.Message, StringComparison.Ordinal);
        Assert.Contains("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
            channels.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_dataset_without_shuffle_has_no_batches()
    {
        var loader = new DataLoader(new SyntheticImageDataset(0), batchSize: 4);

        Assert.Equal(0, loader.Count);
        Assert.False(loader.TryNext(out _, out _));
    }
}
