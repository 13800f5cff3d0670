namespace FastLoss;

/// <summary>
/// Numpy/torch broadcasting of a tensor to a larger shape (dimensions aligned from the right; a source
/// dimension must equal the target's or be 1), used for BCE weights and pos_weight.
/// </summary>
public static class Broadcasting
{
    /// <summary>Throws torch's message unless <paramref name="source"/> broadcasts to <paramref name="target"/>.</summary>
    public static void RequireBroadcastable(ReadOnlySpan<int> source, ReadOnlySpan<int> target)
    {
        if (source.Length > target.Length)
        {
            throw new ArgumentException(
                $"The expanded size of the tensor ({target.Length}) must match the existing size ({source.Length}): cannot broadcast {TensorShape.Format(source)} to {TensorShape.Format(target)}");
        }

        int offset = target.Length - source.Length;
        for (int d = 0; d < source.Length; d++)
        {
            if (source[d] != 1 && source[d] != target[d + offset])
            {
                throw new ArgumentException(
                    $"The size of tensor a ({source[d]}) must match the size of tensor b ({target[d + offset]}) at non-singleton dimension {d + offset}");
            }
        }
    }

    /// <summary>Writes <paramref name="source"/> broadcast to <paramref name="targetShape"/> into <paramref name="destination"/>.</summary>
    public static void Expand(Tensor source, ReadOnlySpan<int> targetShape, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        RequireBroadcastable(source.Shape, targetShape);
        int count = TensorShape.ElementCount(targetShape);
        if (destination.Length != count)
        {
            throw new ArgumentException($"The destination has {destination.Length} elements; the broadcast shape {TensorShape.Format(targetShape)} has {count}.", nameof(destination));
        }

        ReadOnlySpan<float> values = source.Values;
        if (values.Length == count)
        {
            values.CopyTo(destination);
            return;
        }

        if (values.Length == 1)
        {
            destination.Fill(values[0]);
            return;
        }

        int rank = targetShape.Length;
        int offset = rank - source.Rank;
        Span<int> sourceStride = stackalloc int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int sourceSize = d >= offset ? source.Shape[d - offset] : 1;
            sourceStride[d] = sourceSize == 1 ? 0 : stride;
            stride *= sourceSize;
        }

        // Walk the target index like an odometer, moving the source position by its strides.
        Span<int> index = stackalloc int[rank];
        int position = 0;
        for (int flat = 0; flat < count; flat++)
        {
            destination[flat] = values[position];
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                position += sourceStride[d];
                if (index[d] < targetShape[d])
                {
                    break;
                }

                position -= sourceStride[d] * index[d];
                index[d] = 0;
            }
        }
    }
}
