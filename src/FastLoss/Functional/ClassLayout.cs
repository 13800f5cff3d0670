namespace FastLoss.Functional;

/// <summary>
/// How a contiguous row-major tensor is laid out around one dimension (the class dimension of a loss, or the
/// dimension a softmax normalizes): <see cref="Batch"/> blocks (the product of the sizes before it), each of
/// <see cref="Classes"/> x <see cref="Inner"/> elements (the product of the sizes after it). Element
/// (b, c, i) sits at <c>(b * Classes + c) * Inner + i</c>: the class dimension has stride <see cref="Inner"/>,
/// so an (N, C, H, W) input is read in place, without a transposing copy. An (N, C) input has Inner = 1.
/// </summary>
public readonly record struct ClassLayout
{
    /// <summary>A layout of <paramref name="batch"/> x <paramref name="classes"/> x <paramref name="inner"/> elements.</summary>
    public ClassLayout(int batch, int classes, int inner)
    {
        if (batch < 0 || classes < 0 || inner < 0)
        {
            throw new ArgumentOutOfRangeException(
                null, $"A layout needs non-negative sizes but got (batch {batch}, classes {classes}, inner {inner}).");
        }

        if ((long)batch * classes * inner > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                null, $"A layout of (batch {batch}, classes {classes}, inner {inner}) has more than {int.MaxValue} elements.");
        }

        Batch = batch;
        Classes = classes;
        Inner = inner;
    }

    /// <summary>The number of blocks: N for an (N, C, ...) loss input.</summary>
    public int Batch { get; }

    /// <summary>The size of the class (or softmax) dimension.</summary>
    public int Classes { get; }

    /// <summary>The product of the sizes after the class dimension (d1 * ... * dk); the class dimension's stride.</summary>
    public int Inner { get; }

    /// <summary>The number of loss entries (one per position outside the class dimension): Batch * Inner.</summary>
    public int Entries => Batch * Inner;

    /// <summary>The number of elements: Batch * Classes * Inner.</summary>
    public int Length => Batch * Classes * Inner;

    /// <summary>
    /// The layout torch's losses use for an input of this shape: the class dimension is dim 1, or dim 0 for an
    /// unbatched (C) input.
    /// </summary>
    public static ClassLayout ForLossInput(ReadOnlySpan<int> inputShape)
    {
        if (inputShape.Length == 0)
        {
            throw new ArgumentException($"Expected 1 or more dimensions (got {inputShape.Length})");
        }

        return ForDim(inputShape, inputShape.Length == 1 ? 0 : 1);
    }

    /// <summary>The layout around dimension <paramref name="dim"/> (negative counts from the end); a 0-dim shape is one element.</summary>
    public static ClassLayout ForDim(ReadOnlySpan<int> shape, int dim)
    {
        if (shape.Length == 0)
        {
            TensorShape.NormalizeDim(dim, 0);
            return new ClassLayout(1, 1, 1);
        }

        int d = TensorShape.NormalizeDim(dim, shape.Length);
        return new ClassLayout(
            TensorShape.ElementCount(shape[..d]), shape[d], TensorShape.ElementCount(shape[(d + 1)..]));
    }

    public override string ToString() => $"(batch {Batch}, classes {Classes}, inner {Inner})";
}
