using System.Globalization;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace FastLoss.Generation;

/// <summary>
/// Argument checks and reduction arithmetic shared by every generated elementwise kernel, so the
/// generated code stays about the formula. Messages follow torch's wording.
/// </summary>
public static class ElementwiseArguments
{
    /// <summary>Elements per vector accumulator before it is folded into the double total, bounding float rounding.</summary>
    public const int FlushInterval = 64;

    /// <summary>Input and target (or gradient, or upstream) must have one length each.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void RequireSameLength(int inputLength, int otherLength, string otherName)
    {
        // The check is inlined into every kernel; building the message is not.
        if (inputLength != otherLength)
        {
            ThrowLengthMismatch(inputLength, otherLength, otherName);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowLengthMismatch(int inputLength, int otherLength, string otherName) =>
        throw new ArgumentException(string.Create(
            CultureInfo.InvariantCulture,
            $"The size of tensor a ({inputLength}) must match the size of tensor b ({otherLength}) at non-singleton dimension 0 ({otherName} has {otherLength} elements, input has {inputLength})"),
            otherName);

    /// <summary>A row-wise loss's input holds one row of equal length per target value.</summary>
    public static void RequireRows(int inputLength, int rows, string name)
    {
        if (rows < 0 || (rows == 0 ? inputLength != 0 : inputLength % rows != 0))
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} has {inputLength} elements, which are not {rows} rows of equal length (one row per target value)"),
                name);
        }
    }

    /// <summary>An optional per-element span is either empty (absent) or as long as the input.</summary>
    public static void RequireAbsentOrSameLength(int inputLength, int length, string name)
    {
        if (length != 0 && length != inputLength)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{name} has {length} elements but the input has {inputLength}; broadcast it to the input's shape first"),
                name);
        }
    }

    /// <summary>
    /// BCELoss: torch raises when any input or target lies outside [0, 1] (NaN included). One vector pass reads both
    /// spans; only when it finds an offender does a scalar scan name the first one (inputs before targets).
    /// </summary>
    public static void RequireUnitInterval(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        if (!AllInUnitInterval(input, target))
        {
            ThrowFirstOutsideUnitInterval(input, nameof(input));
            ThrowFirstOutsideUnitInterval(target, nameof(target));
        }
    }

    private static bool AllInUnitInterval(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        // Callers check first that both spans have one length.
        int n = Math.Min(input.Length, target.Length);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            // A lane is good when 0 <= v <= 1; NaN fails both comparisons, so it is caught too.
            var good = Vector512<float>.AllBitsSet;
            var one = Vector512<float>.One;
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float y = ref MemoryMarshal.GetReference(target);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var xv = Vector512.LoadUnsafe(ref x, (nuint)i);
                var yv = Vector512.LoadUnsafe(ref y, (nuint)i);
                good &= Vector512.GreaterThanOrEqual(xv, Vector512<float>.Zero) & Vector512.LessThanOrEqual(xv, one)
                    & Vector512.GreaterThanOrEqual(yv, Vector512<float>.Zero) & Vector512.LessThanOrEqual(yv, one);
            }

            if (good != Vector512<float>.AllBitsSet)
            {
                return false;
            }
        }

        for (; i < n; i++)
        {
            if (!(input[i] >= 0f && input[i] <= 1f && target[i] >= 0f && target[i] <= 1f))
            {
                return false;
            }
        }

        return true;
    }

    private static void ThrowFirstOutsideUnitInterval(ReadOnlySpan<float> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float value = values[i];
            if (!(value >= 0f && value <= 1f))
            {
                throw new ArgumentOutOfRangeException(
                    name,
                    string.Create(CultureInfo.InvariantCulture, $"all elements of {name} should be between 0 and 1 ({name}[{i}] = {value})"));
            }
        }
    }

    /// <summary>torch's check of GaussianNLLLoss' var: no negative element (NaN passes, as torch's var &lt; 0 lets it).</summary>
    public static void RequireNonNegative(ReadOnlySpan<float> values, string name)
    {
        if (TensorPrimitives.IndexOfMin(values) is int lowest and >= 0 && values[lowest] < 0f)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} has negative entry/entries");
        }
    }

    /// <summary>Forward and ForwardBackward return one number: reduction none must go through the *None methods.</summary>
    public static void RequireReduced(Reduction reduction)
    {
        if (reduction == Reduction.BatchMean)
        {
            throw BatchMeanNeedsBatch();
        }

        if (reduction is not (Reduction.Sum or Reduction.Mean))
        {
            throw new ArgumentException(
                $"Reduction.{reduction} does not reduce to one number: call ForwardNone (or BackwardNone) with a destination span",
                nameof(reduction));
        }
    }

    /// <summary>Sum or mean of a total over <paramref name="count"/> terms; the mean of no terms is NaN as in torch.</summary>
    public static float Reduce(double total, int count, Reduction reduction) => reduction switch
    {
        Reduction.Sum => (float)total,
        Reduction.Mean => (float)(total / count),
        Reduction.BatchMean => throw BatchMeanNeedsBatch(),
        _ => throw new ArgumentException(
            "Reduction.None yields one loss per element: call ForwardNone (or BackwardNone) with a destination span",
            nameof(reduction)),
    };

    /// <summary>The factor d(reduced)/d(term) times the upstream gradient: 1/N for mean, 1 for sum.</summary>
    public static float GradientScale(int count, Reduction reduction, float upstream) => reduction switch
    {
        Reduction.Sum => upstream,
        Reduction.Mean => upstream / count,
        Reduction.BatchMean => throw BatchMeanNeedsBatch(),
        _ => throw new ArgumentException(
            "Reduction.None takes one upstream gradient per element: call BackwardNone",
            nameof(reduction)),
    };

    // A span carries no batch dimension; the module KLDivLoss divides the sum by it.
    private static ArgumentException BatchMeanNeedsBatch() => new(
        "Reduction.BatchMean divides by the batch size, which a span does not carry: reduce with Reduction.Sum and divide by the batch size",
        "reduction");
}
