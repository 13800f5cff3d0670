using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLoss.Generation;

namespace FastLoss.Data;

/// <summary>
/// torch's DataLoader for image datasets: batches of transformed images (B, C, H, W) and labels (B), in
/// order or in a seeded shuffle, the last short batch kept unless <c>dropLast</c>. The batch tensors are
/// allocated once, in the constructor, and refilled for every batch, so an epoch allocates nothing.
/// </summary>
/// <example>
/// <code>
/// var loader = new DataLoader(new Cifar10(root, train: true), 64, shuffle: true, seed: 1,
///     transform: new Compose(new ToTensor(), new Normalize([0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f])));
/// foreach (var (images, labels) in loader) { ... }          // one epoch
/// while (loader.TryNext(out var images, out var labels)) { ... } // the same, without foreach
/// </code>
/// </example>
public sealed class DataLoader
{
    private const int ByteValues = 256;

    private readonly IImageDataset _dataset;
    private readonly float[] _lookup;
    private readonly int[] _order;
    private readonly Tensor _images;
    private readonly IndexTensor _labels;
    private readonly Tensor? _lastImages;
    private readonly IndexTensor? _lastLabels;
    private readonly int _samplesPerEpoch;
    private readonly int _imageSize;
    private int _position = -1;

    /// <param name="dataset">The images and labels.</param>
    /// <param name="batchSize">Samples per batch (torch's batch_size).</param>
    /// <param name="shuffle">Visit the samples in a new random order each epoch.</param>
    /// <param name="seed">The shuffle's seed: epoch e of two loaders with the same seed visits the same order.</param>
    /// <param name="dropLast">Leave out the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="transform">Maps pixels to floats; <see cref="ToTensor"/> (x / 255) when null.</param>
    public DataLoader(
        IImageDataset dataset, int batchSize, bool shuffle = false, int seed = 0, bool dropLast = false, ImageTransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize),
                $"batch_size should be a positive integer value, but got batch_size={batchSize.ToString(CultureInfo.InvariantCulture)}");
        }

        int count = dataset.Count;
        if (shuffle && count == 0)
        {
            throw new ArgumentException("num_samples should be a positive integer value, but got num_samples=0", nameof(dataset));
        }

        _dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Transform = transform ?? new ToTensor();
        int channels = dataset.Channels, height = dataset.Height, width = dataset.Width;
        _imageSize = checked(channels * height * width);
        _lookup = BuildLookup(Transform, channels);

        _order = new int[count];
        for (int i = 0; i < count; i++)
        {
            _order[i] = i;
        }

        int remainder = count % batchSize;
        _samplesPerEpoch = dropLast ? count - remainder : count;
        Count = dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;

        // A batch never holds more samples than the dataset, so a small dataset gets small buffers.
        int capacity = Math.Min(batchSize, Math.Max(count, 1));
        var imageStorage = new float[checked(capacity * _imageSize)];
        var labelStorage = new long[capacity];
        _images = Tensor.Wrap(imageStorage, 0, batchSize <= count ? batchSize : 0, channels, height, width);
        _labels = IndexTensor.Wrap(labelStorage, 0, batchSize <= count ? batchSize : 0);
        if (remainder != 0 && !dropLast)
        {
            _lastImages = Tensor.Wrap(imageStorage, 0, remainder, channels, height, width);
            _lastLabels = IndexTensor.Wrap(labelStorage, 0, remainder);
        }
    }

    /// <summary>The dataset batched.</summary>
    public IImageDataset Dataset => _dataset;

    /// <summary>Samples per full batch.</summary>
    public int BatchSize { get; }

    public bool Shuffle { get; }

    public int Seed { get; }

    public bool DropLast { get; }

    /// <summary>The pixel transform applied while a batch is filled.</summary>
    public ImageTransform Transform { get; }

    /// <summary>Batches per epoch (torch's len(loader)).</summary>
    public int Count { get; }

    /// <summary>
    /// The index of the next epoch to start; it grows by one as each epoch starts. The order of epoch e depends
    /// only on (seed, e), so setting this when resuming a run reproduces the shuffle the run would have seen.
    /// </summary>
    public int Epoch { get; set; }

    /// <summary>Whether an epoch has started and not yet yielded its last batch.</summary>
    public bool EpochInProgress => _position >= 0;

    /// <summary>Counts epochs started, so an enumeration notices when another one began under it.</summary>
    internal int EpochRun { get; private set; }

    /// <summary>Starts a new epoch (a new order when shuffling) and walks it: <c>foreach (var batch in loader)</c>.</summary>
    public DataLoaderEnumerator GetEnumerator()
    {
        StartEpoch();
        return new DataLoaderEnumerator(this, EpochRun);
    }

    /// <summary>
    /// The next batch of the current epoch, starting a new epoch first when none is in progress. Returns false
    /// once the epoch has yielded its last batch; the call after that starts the next epoch. The tensors are
    /// the loader's buffers, overwritten by the next call.
    /// </summary>
    [HotPath]
    public bool TryNext([MaybeNullWhen(false)] out Tensor images, [MaybeNullWhen(false)] out IndexTensor labels)
    {
        if (_position < 0)
        {
            StartEpoch();
        }

        if (_position >= _samplesPerEpoch)
        {
            _position = -1;
            images = null;
            labels = null;
            return false;
        }

        int size = Math.Min(BatchSize, _samplesPerEpoch - _position);
        images = size == BatchSize ? _images : _lastImages!;
        labels = size == BatchSize ? _labels : _lastLabels!;
        Fill(_order.AsSpan(_position, size), images.Span, labels.Span);
        _position += size;
        return true;
    }

    [HotPath]
    private void StartEpoch()
    {
        if (Shuffle)
        {
            // Every epoch shuffles the identity afresh, so its order depends on (seed, epoch) alone.
            Span<int> order = _order;
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            var generator = new Xoshiro256StarStar(EpochKey(Seed, Epoch));
            generator.Shuffle(order);
        }

        Epoch++;
        EpochRun++;
        _position = 0;
    }

    /// <summary>One generator seed per (seed, epoch) pair; distinct pairs give distinct keys.</summary>
    internal static ulong EpochKey(int seed, int epoch) => ((ulong)(uint)seed << 32) | (uint)epoch;

    [HotPath]
    private void Fill(ReadOnlySpan<int> indices, Span<float> images, Span<long> labels)
    {
        int channels = _dataset.Channels;
        int plane = _imageSize / Math.Max(channels, 1);
        for (int b = 0; b < indices.Length; b++)
        {
            int index = indices[b];
            ReadOnlySpan<byte> pixels = _dataset.GetImage(index);
            if (pixels.Length != _imageSize)
            {
                throw new InvalidOperationException(
                    $"Sample {index} has {pixels.Length} pixel bytes; the dataset's shape ({channels}, {_dataset.Height}, {_dataset.Width}) needs {_imageSize}.");
            }

            Span<float> image = images.Slice(b * _imageSize, _imageSize);
            for (int c = 0; c < channels; c++)
            {
                MapPlane(pixels.Slice(c * plane, plane), _lookup.AsSpan(c * ByteValues, ByteValues), image.Slice(c * plane, plane));
            }

            labels[b] = _dataset.GetLabel(index);
        }
    }

    /// <summary>output[i] = table[input[i]]; a byte always indexes inside the 256-entry table.</summary>
    [HotPath]
    private static void MapPlane(ReadOnlySpan<byte> input, ReadOnlySpan<float> table, Span<float> output)
    {
        ref float first = ref MemoryMarshal.GetReference(table);
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = Unsafe.Add(ref first, input[i]);
        }
    }

    /// <summary>The transform's value for every byte value of every channel: table[c * 256 + v].</summary>
    private static float[] BuildLookup(ImageTransform transform, int channels)
    {
        transform.Validate(channels);
        var table = new float[channels * ByteValues];
        for (int c = 0; c < channels; c++)
        {
            for (int v = 0; v < ByteValues; v++)
            {
                table[(c * ByteValues) + v] = transform.Apply(c, v);
            }
        }

        return table;
    }
}
