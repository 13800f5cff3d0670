using FastLoss.Data;

namespace FastLoss.Tests.Data;

/// <summary>The loader over the real CIFAR-10 test split: values, labels, and no allocation per batch.</summary>
public sealed class DataLoaderCifar10Tests
{
    private static readonly Lazy<Cifar10> s_test = new(() => new Cifar10(Cifar10TestData.Root, train: false));

    [Fact]
    public void Batches_hold_the_normalized_pixels_and_labels_of_the_raw_file()
    {
        float[] mean = [0.4914f, 0.4822f, 0.4465f];
        float[] std = [0.2470f, 0.2435f, 0.2616f];
        var loader = new DataLoader(s_test.Value, batchSize: 64, transform: new Compose(new ToTensor(), new Normalize(mean, std)));
        byte[] raw = Cifar10TestData.TestBatch;

        // The third batch: samples 128..191 in file order.
        Tensor? images = null;
        IndexTensor? labels = null;
        for (int i = 0; i < 3; i++)
        {
            Assert.True(loader.TryNext(out images, out labels));
        }

        foreach ((int b, int c, int y, int x) in new[] { (0, 0, 0, 0), (5, 1, 17, 3), (63, 2, 31, 31), (40, 0, 12, 30) })
        {
            int record = (128 + b) * Cifar10TestData.RecordBytes;
            byte pixel = raw[record + 1 + (c * 1024) + (y * 32) + x];
            // Tolerance 0 against torch's float32 order of operations: x / 255, then (v - mean) / std.
            float expected = ((pixel / 255f) - mean[c]) / std[c];
            Assert.Equal(expected, images![b, c, y, x]);
            // And within 1e-6 (relative to the value, plus 1e-6) of the same formula in float64.
            double reference = ((pixel / 255.0) - (double)mean[c]) / (double)std[c];
            Assert.True(Math.Abs(images[b, c, y, x] - reference) <= 1e-6 * (1 + Math.Abs(reference)),
                $"pixel ({b},{c},{y},{x}) = {images[b, c, y, x]} vs float64 {reference}");
            Assert.Equal(raw[record], labels!.Span[b]);
        }
    }

    [Fact]
    public void ToTensor_maps_every_pixel_of_a_batch_to_its_byte_over_255()
    {
        var loader = new DataLoader(s_test.Value, batchSize: 100, transform: new ToTensor());
        Assert.True(loader.TryNext(out Tensor? images, out IndexTensor? labels));
        byte[] raw = Cifar10TestData.TestBatch;

        Span<float> values = images.Span;
        for (int b = 0; b < 100; b++)
        {
            int record = b * Cifar10TestData.RecordBytes;
            Assert.Equal(raw[record], labels.Span[b]);
            for (int p = 0; p < Cifar10TestData.ImageBytes; p++)
            {
                float expected = raw[record + 1 + p] / 255f;
                if (values[(b * Cifar10TestData.ImageBytes) + p] != expected)
                {
                    Assert.Fail($"sample {b} value {p}: {values[(b * Cifar10TestData.ImageBytes) + p]} != {expected}");
                }
            }
        }

        Assert.InRange(values.ToArray().Min(), 0f, 1f);
        Assert.InRange(values.ToArray().Max(), 0f, 1f);
    }

    [Fact]
    public void Shuffled_batches_pair_each_image_with_its_own_label()
    {
        var test = s_test.Value;
        var loader = new DataLoader(test, batchSize: 50, shuffle: true, seed: 11, transform: new Compose());
        Assert.True(loader.TryNext(out Tensor? images, out IndexTensor? labels));

        // Find each batch image in the dataset by its pixels; its label must be the one given with it.
        var byFirstPixels = new Dictionary<long, List<int>>();
        for (int i = 0; i < test.Count; i++)
        {
            ReadOnlySpan<byte> image = test.GetImage(i);
            long key = image[0] | ((long)image[100] << 8) | ((long)image[1500] << 16) | ((long)image[3000] << 24);
            (byFirstPixels.TryGetValue(key, out var list) ? list : byFirstPixels[key] = []).Add(i);
        }

        for (int b = 0; b < 50; b++)
        {
            float[] pixels = images.Span.Slice(b * 3072, 3072).ToArray();
            long key = (long)pixels[0] | ((long)pixels[100] << 8) | ((long)pixels[1500] << 16) | ((long)pixels[3000] << 24);
            int match = byFirstPixels[key].Single(i =>
            {
                ReadOnlySpan<byte> candidate = test.GetImage(i);
                for (int p = 0; p < 3072; p++)
                {
                    if (candidate[p] != pixels[p])
                    {
                        return false;
                    }
                }

                return true;
            });
            Assert.Equal(test.GetLabel(match), labels.Span[b]);
        }
    }

    [Fact]
    public void An_epoch_allocates_nothing_after_the_first()
    {
        var transform = new Compose(new ToTensor(), new Normalize([0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]));
        var loader = new DataLoader(s_test.Value, batchSize: 128, shuffle: true, seed: 5, transform: transform);
        int batches = 0;

        // Warm-up epoch (JIT, tiering), then two measured epochs: one foreach, one TryNext.
        foreach (DataLoaderBatch batch in loader)
        {
            batches++;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (DataLoaderBatch batch in loader)
        {
            batches += batch.Size > 0 ? 1 : 0;
        }

        while (loader.TryNext(out _, out _))
        {
            batches++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(3 * 79, batches);
        Assert.Equal(0, allocated);
    }
}
