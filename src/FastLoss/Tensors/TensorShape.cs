using System.Globalization;
using System.Text;

namespace FastLoss;

/// <summary>Shape arithmetic and torch-style shape text shared by tensors and error messages.</summary>
public static class TensorShape
{
    /// <summary>The product of the sizes (1 for a 0-dim shape).</summary>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int size in shape)
        {
            count *= size;
            if (count > int.MaxValue)
            {
                throw new ArgumentException($"shape '{FormatList(shape)}' has more than {int.MaxValue} elements");
            }
        }

        return (int)count;
    }

    /// <summary>Torch's rendering: <c>torch.Size([2, 3])</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => $"torch.Size({FormatList(shape)})";

    /// <summary>The bracketed list: <c>[2, 3]</c>.</summary>
    public static string FormatList(ReadOnlySpan<int> shape)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.Append(']').ToString();
    }

    /// <summary>Maps a possibly negative dimension into [0, rank), with torch's message when it is out of range.</summary>
    public static int NormalizeDim(int dim, int rank)
    {
        int effectiveRank = Math.Max(rank, 1);
        if (dim < -effectiveRank || dim >= effectiveRank)
        {
            throw new ArgumentOutOfRangeException(
                nameof(dim),
                $"Dimension out of range (expected to be in range of [{-effectiveRank}, {effectiveRank - 1}], but got {dim})");
        }

        return dim < 0 ? dim + effectiveRank : dim;
    }

    internal static int[] Validated(int[] shape)
    {
        foreach (int size in shape)
        {
            if (size < 0)
            {
                throw new ArgumentException($"negative dimension {size} in shape '{FormatList(shape)}'", nameof(shape));
            }
        }

        return (int[])shape.Clone();
    }

    /// <summary>Resolves a reshape target with at most one -1 against an element count, with torch's messages.</summary>
    internal static int[] Resolve(int[] shape, int count)
    {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new ArgumentException("only one dimension can be inferred", nameof(shape));
                }

                inferred = i;
            }
            else if (shape[i] < 0)
            {
                throw new ArgumentException($"invalid shape dimension {shape[i]}", nameof(shape));
            }
            else
            {
                known *= shape[i];
            }
        }

        int[] dims = (int[])shape.Clone();
        if (inferred >= 0)
        {
            if (known == 0 || count % known != 0)
            {
                throw new ArgumentException($"shape '{FormatList(shape)}' is invalid for input of size {count}", nameof(shape));
            }

            dims[inferred] = (int)(count / known);
        }
        else if (known != count)
        {
            throw new ArgumentException($"shape '{FormatList(shape)}' is invalid for input of size {count}", nameof(shape));
        }

        return dims;
    }

    internal static int FlatIndex(ReadOnlySpan<int> shape, ReadOnlySpan<int> index)
    {
        if (index.Length != shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index),
                $"too many or too few indices: tensor of dimension {shape.Length} indexed with {index.Length}");
        }

        int flat = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if ((uint)i >= (uint)shape[d])
            {
                throw new ArgumentOutOfRangeException(nameof(index),
                    $"index {index[d]} is out of bounds for dimension {d} with size {shape[d]}");
            }

            flat = (flat * shape[d]) + i;
        }

        return flat;
    }
}
