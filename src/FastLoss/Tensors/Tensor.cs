namespace FastLoss;

/// <summary>
/// A contiguous, row-major float32 tensor: a shape over a window of a float array. Reshape returns a view
/// that shares the storage, so planned buffers (one arena carved into views) cost nothing per step.
/// </summary>
public sealed class Tensor
{
    private readonly float[] _storage;
    private readonly int _offset;
    private readonly int[] _shape;
    private Tensor? _grad;

    private Tensor(float[] storage, int offset, int[] shape)
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

    /// <summary>The number of elements (torch's numel).</summary>
    public int Length { get; }

    /// <summary>The sizes of the dimensions; empty for a 0-dim (scalar) tensor.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => _storage.AsSpan(_offset, Length);

    /// <summary>Whether gradients flow into this tensor (a leaf parameter or an input of interest).</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>The accumulated gradient, shaped like this tensor; null until a backward pass writes it.</summary>
    public Tensor? Grad => _grad;

    /// <summary>The size of dimension <paramref name="dim"/>; negative dims count from the end as in torch.</summary>
    public int Size(int dim) => _shape[TensorShape.NormalizeDim(dim, Rank)];

    /// <summary>Torch's rendering of the shape, e.g. <c>torch.Size([2, 3])</c>, for error messages.</summary>
    public string ShapeText => TensorShape.Format(_shape);

    public static Tensor Zeros(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] copy = TensorShape.Validated(shape);
        return new Tensor(new float[TensorShape.ElementCount(copy)], 0, copy);
    }

    /// <summary>A 0-dim tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value) => new([value], 0, []);

    /// <summary>A tensor over a copy of <paramref name="values"/> with the given shape (1-D when none is given).</summary>
    public static Tensor FromValues(ReadOnlySpan<float> values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] dims = shape.Length == 0 ? [values.Length] : TensorShape.Validated(shape);
        int count = TensorShape.ElementCount(dims);
        if (count != values.Length)
        {
            throw new ArgumentException(
                $"shape '{TensorShape.FormatList(dims)}' is invalid for input of size {values.Length}", nameof(shape));
        }

        return new Tensor(values.ToArray(), 0, dims);
    }

    /// <summary>A tensor that uses <paramref name="storage"/> in place (no copy): the view the planner carves from an arena.</summary>
    public static Tensor Wrap(float[] storage, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(shape);
        return new Tensor(storage, offset, TensorShape.Validated(shape));
    }

    /// <summary>A view with another shape over the same elements; one dimension may be -1 (inferred), as in torch.</summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] dims = TensorShape.Resolve(shape, Length);
        var view = new Tensor(_storage, _offset, dims) { RequiresGrad = RequiresGrad };
        if (_grad is not null)
        {
            view._grad = new Tensor(_grad._storage, _grad._offset, dims);
        }

        return view;
    }

    /// <summary>The value of a one-element tensor, as torch's item().</summary>
    public float Item()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException(
                $"a Tensor with {Length} elements cannot be converted to Scalar");
        }

        return _storage[_offset];
    }

    /// <summary>The element at a full multi-dimensional index.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get => _storage[_offset + TensorShape.FlatIndex(_shape, index)];
        set => _storage[_offset + TensorShape.FlatIndex(_shape, index)] = value;
    }

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>The gradient buffer, created (zeroed) on first use; backward passes accumulate into it.</summary>
    public Tensor GetOrCreateGrad() => _grad ??= new Tensor(new float[Length], 0, (int[])_shape.Clone());

    /// <summary>Zeroes the gradient in place (torch sets it to None; zeroing keeps the buffer and allocates nothing).</summary>
    public void ZeroGrad() => _grad?.Span.Clear();

    /// <summary>
    /// Back-propagates from this one-element tensor (a loss): its gradient is 1, and every operation recorded
    /// on the tape since the last backward pass adds its inputs' gradients, as torch's loss.backward().
    /// </summary>
    public void Backward()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException("grad can be implicitly created only for scalar outputs");
        }

        GetOrCreateGrad().Span.Fill(1f);
        Autograd.Tape.Run(this);
    }

    /// <summary>Whether both tensors have the same shape.</summary>
    public bool SameShape(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Shape.SequenceEqual(other.Shape);
    }

    internal float[] Storage => _storage;

    internal int Offset => _offset;

    public override string ToString() => $"Tensor({ShapeText})";
}
