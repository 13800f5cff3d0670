using System.Globalization;
using FastLoss.Autograd;

namespace FastLoss;

/// <summary>
/// A contiguous, row-major float32 tensor: a shape over a window of a float array. A tensor you create (Zeros,
/// FromValues, Wrap) is a leaf; a tensor an operation returns lives in its thread's arena and carries the graph
/// node that produced it (<see cref="IsLeaf"/> is false) when gradients are recorded. See docs/autograd.md for how
/// long an operation's result stays valid.
/// </summary>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private float[] _storage;
    private int _offset;
    private bool _requiresGrad;

    // The leaf gradient: the buffer is kept when the gradient is set to none, so the next backward pass writes into
    // it again instead of allocating (torch allocates a new one).
    private Tensor? _grad;
    private bool _gradDefined;
    private int _version;

    private Tensor(float[] storage, int offset, int[] shape)
    {
        _storage = storage;
        _offset = offset;
        _shape = shape;
        Length = TensorShape.ElementCount(shape);
        CheckWindow(storage, offset);
    }

    // A view with no storage yet: bound by Rebind before anything reads it.
    private Tensor(int[] shape)
    {
        _storage = [];
        _shape = shape;
        Length = TensorShape.ElementCount(shape);
    }

    /// <summary>The number of elements (torch's numel).</summary>
    public int Length { get; }

    /// <summary>The sizes of the dimensions; empty for a 0-dim (scalar) tensor.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>
    /// The elements, row-major, for reading and writing. Taking the span counts as a write (it bumps
    /// <see cref="Version"/>), so caches derived from a parameter, such as a convolution's packed weight, are
    /// rebuilt after it; read through <see cref="Values"/> to leave them alone.
    /// </summary>
    public Span<float> Span
    {
        get
        {
            _version++;
            return _storage.AsSpan(_offset, Length);
        }
    }

    /// <summary>The elements, row-major, read-only.</summary>
    public ReadOnlySpan<float> Values => _storage.AsSpan(_offset, Length);

    /// <summary>
    /// Counts writes through the public API (<see cref="Span"/>, the indexer, an optimizer's step, loading a state
    /// dict), as torch's tensor version: caches derived from the values compare it instead of the values.
    /// </summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>
    /// Whether gradients flow into this tensor. Set it on a leaf (a parameter or an input of interest); a result
    /// of a recorded operation requires grad by construction, and torch refuses to change that.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            if (GradFn is not null && !value)
            {
                throw new InvalidOperationException(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>Whether this tensor was created by you rather than recorded by an operation (torch's is_leaf).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// The accumulated gradient of a leaf, shaped like it; null before a backward pass reaches it and after it is
    /// set to none. Set it to a tensor of the same shape, or to null (torch's <c>p.grad = None</c>). Results of
    /// operations have no Grad (their gradients are internal to the backward pass, as torch's non-leaf tensors).
    /// </summary>
    public Tensor? Grad
    {
        get => _gradDefined ? _grad : null;
        set
        {
            if (value is null)
            {
                _gradDefined = false;
                return;
            }

            if (!SameShape(value))
            {
                throw new ArgumentException(
                    $"assigned grad has data of a different size: the tensor is {ShapeText} and the gradient {value.ShapeText}", nameof(value));
            }

            _grad = value;
            _gradDefined = true;
        }
    }

    /// <summary>The size of dimension <paramref name="dim"/>; negative dims count from the end as in torch.</summary>
    public int Size(int dim) => _shape[TensorShape.NormalizeDim(dim, Rank)];

    /// <summary>Torch's rendering of the shape, e.g. <c>torch.Size([2, 3])</c>, for error messages.</summary>
    public string ShapeText => TensorShape.Format(_shape);

    /// <summary>The graph node that produced this tensor (torch's grad_fn); null for leaves and unrecorded results.</summary>
    internal Node? GradFn { get; set; }

    /// <summary>The arena node whose buffer holds this tensor's elements; null for tensors created by users.</summary>
    internal Node? Producer { get; set; }

    /// <summary>The elements, without counting a write: for the library's kernels.</summary>
    internal Span<float> Data => _storage.AsSpan(_offset, Length);

    internal float[] Storage => _storage;

    internal int Offset => _offset;

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

    /// <summary>A tensor that uses <paramref name="storage"/> in place (no copy).</summary>
    public static Tensor Wrap(float[] storage, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(shape);
        return new Tensor(storage, offset, TensorShape.Validated(shape));
    }

    /// <summary>An arena buffer for an operation's output (the planner's only allocation, made once per plan).</summary>
    internal static Tensor ForOutput(ReadOnlySpan<int> shape) => new(new float[TensorShape.ElementCount(shape)], 0, shape.ToArray());

    /// <summary>A view whose storage is bound per call (<see cref="Rebind"/>): the output of a reshaping operation.</summary>
    internal static Tensor ForView(ReadOnlySpan<int> shape) => new(shape.ToArray());

    /// <summary>The value of a one-element tensor, as torch's item().</summary>
    public float Item()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"a Tensor with {Length} elements cannot be converted to Scalar"));
        }

        return _storage[_offset];
    }

    /// <summary>The element at a full multi-dimensional index.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get => _storage[_offset + TensorShape.FlatIndex(_shape, index)];
        set
        {
            _storage[_offset + TensorShape.FlatIndex(_shape, index)] = value;
            _version++;
        }
    }

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => Values.ToArray();

    /// <summary>A new leaf holding a copy of the elements (torch's clone().detach()): it outlives the arena's reuse.</summary>
    public Tensor Clone() => new(Values.ToArray(), 0, (int[])_shape.Clone());

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (same number of elements), counting a write.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The size of tensor a ({Length}) must match the size of tensor b ({source.Length}) at non-singleton dimension 0"),
                nameof(source));
        }

        source.CopyTo(Data);
        MarkModified();
    }

    /// <summary>Zeroes the gradient in place (torch's <c>grad.zero_()</c>); see <see cref="ClearGrad"/> for none.</summary>
    public void ZeroGrad()
    {
        if (_gradDefined)
        {
            _grad!.Data.Clear();
        }
    }

    /// <summary>Sets the gradient to none (torch's <c>p.grad = None</c>); the next backward pass writes it anew.</summary>
    public void ClearGrad() => _gradDefined = false;

    /// <summary>Whether both tensors have the same shape.</summary>
    public bool SameShape(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Shape.SequenceEqual(other.Shape);
    }

    public override string ToString() => $"Tensor({ShapeText})";

    /// <summary>Counts a write made by the library (an optimizer step, a load).</summary>
    internal void MarkModified() => Interlocked.Increment(ref _version);

    /// <summary>Points a view at another window of storage (a view's output is rebound at each call).</summary>
    internal void Rebind(float[] storage, int offset)
    {
        CheckWindow(storage, offset);
        _storage = storage;
        _offset = offset;
    }

    /// <summary>
    /// The leaf gradient a backward step writes into: the existing one (<paramref name="accumulate"/>: add to it) or
    /// the kept buffer, or a new one, to overwrite.
    /// </summary>
    internal Span<float> LeafGradient(out bool accumulate) => LeafGradientTensor(out accumulate).Data;

    /// <summary>The tensor behind <see cref="LeafGradient"/>.</summary>
    internal Tensor LeafGradientTensor(out bool accumulate)
    {
        accumulate = _gradDefined;
        if (!_gradDefined)
        {
            if (_grad is null || !SameShape(_grad))
            {
                _grad = new Tensor(new float[Length], 0, (int[])_shape.Clone());
            }

            _gradDefined = true;
        }

        return _grad!;
    }

    private void CheckWindow(float[] storage, int offset)
    {
        if (offset < 0 || offset + Length > storage.Length)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"A view of {Length} elements at offset {offset} does not fit in a storage of {storage.Length} elements."));
        }
    }
}
