namespace FastLoss;

/// <summary>
/// A contiguous, row-major tensor of int64 class indices (torch's LongTensor): the target of
/// CrossEntropyLoss and NLLLoss and the labels a DataLoader yields. Float targets are a different type,
/// so an index target can never be mistaken for a probability target.
/// </summary>
public sealed class IndexTensor
{
    private readonly long[] _storage;
    private readonly int _offset;
    private readonly int[] _shape;

    private IndexTensor(long[] storage, int offset, int[] shape)
    {
        _storage = storage;
        _offset = offset;
        _shape = shape;
        Length = TensorShape.ElementCount(shape);
        if (offset < 0 || offset + Length > storage.Length)
        {
            throw new ArgumentException(
                $"A view of {Length} elements at offset {offset} does not fit in a storage of {storage.Length} elements.");
        }
    }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The sizes of the dimensions; empty for a 0-dim (scalar) target.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The elements, row-major.</summary>
    public Span<long> Span => _storage.AsSpan(_offset, Length);

    /// <summary>Torch's rendering of the shape, e.g. <c>torch.Size([3])</c>.</summary>
    public string ShapeText => TensorShape.Format(_shape);

    /// <summary>The size of dimension <paramref name="dim"/>; negative dims count from the end.</summary>
    public int Size(int dim) => _shape[TensorShape.NormalizeDim(dim, Rank)];

    public static IndexTensor Zeros(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] copy = TensorShape.Validated(shape);
        return new IndexTensor(new long[TensorShape.ElementCount(copy)], 0, copy);
    }

    /// <summary>A target over a copy of <paramref name="values"/> with the given shape (1-D when none is given).</summary>
    public static IndexTensor FromValues(ReadOnlySpan<long> values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] dims = shape.Length == 0 ? [values.Length] : TensorShape.Validated(shape);
        if (TensorShape.ElementCount(dims) != values.Length)
        {
            throw new ArgumentException(
                $"shape '{TensorShape.FormatList(dims)}' is invalid for input of size {values.Length}", nameof(shape));
        }

        return new IndexTensor(values.ToArray(), 0, dims);
    }

    /// <summary>A 0-dim target holding one class index (the target of an unbatched input).</summary>
    public static IndexTensor Scalar(long value) => new([value], 0, []);

    /// <summary>A target that uses <paramref name="storage"/> in place (no copy).</summary>
    public static IndexTensor Wrap(long[] storage, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(shape);
        return new IndexTensor(storage, offset, TensorShape.Validated(shape));
    }

    /// <summary>A view with another shape over the same elements; one dimension may be -1.</summary>
    public IndexTensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new IndexTensor(_storage, _offset, TensorShape.Resolve(shape, Length));
    }

    /// <summary>A copy of the elements.</summary>
    public long[] ToArray() => Span.ToArray();

    public override string ToString() => $"IndexTensor({ShapeText})";
}
