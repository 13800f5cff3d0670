using System.Globalization;

namespace FastLoss.Functional;

/// <summary>The exceptions of the CTC loss, in libtorch's words (its CPU kernel checks its arguments in ctc_loss_allocate_outputs).</summary>
internal static class CtcErrors
{
    private const string Checking = " (while checking arguments for ctc_loss_allocate_outputs)";

    /// <summary>libtorch's CPU kernel refuses an empty input (N, T or C of 0) before any other check.</summary>
    public static ArgumentException EmptyLogProbs() => new("log_probs tensor must not be empty");

    public static ArgumentOutOfRangeException BlankOutOfRange() => new(null, "blank must be in label range");

    public static ArgumentException InputLengthsCount() => new("input_lengths must be of size batch_size");

    public static ArgumentException TargetLengthsCount() => new("target_lengths must be of size batch_size");

    public static ArgumentOutOfRangeException NegativeLength(string name, long value) =>
        new(null, Format($"Expected {name} to have value at least 0, but got value {value}{Checking}"));

    public static ArgumentOutOfRangeException InputLengthAboveTime(int time, long value) =>
        new(null, Format($"Expected input_lengths to have value at most {time}, but got value {value}{Checking}"));

    /// <summary>Concatenated targets must hold exactly sum(target_lengths) labels; padded ones one row per sequence.</summary>
    public static ArgumentException TargetsSize(long expected, long actual) =>
        new(Format($"Expected tensor to have size {expected} at dimension 0, but got size {actual} for argument #2 'targets'{Checking}"));

    public static ArgumentException PaddedTargetsTooShort(long longest, long paddedLength) =>
        new(Format($"Expected tensor to have size at least {longest} at dimension 1, but got size {paddedLength} for argument #2 'targets'{Checking}"));

    /// <summary>torch unsqueezes any log_probs that is not 3-D (as an unbatched (T, C) input) before this check.</summary>
    public static ArgumentException LogProbsRank(int rank) =>
        new(Format($"Expected 3-dimensional tensor, but got {(rank == 3 ? 3 : rank + 1)}-dimensional tensor for argument #1 'log_probs'{Checking}"));

    public static ArgumentException TargetsRank(int rank) =>
        new(Format($"Expected 1 to 2 dimensions, but got {rank}-dimensional tensor for argument #2 'targets'{Checking}"));

    /// <summary>
    /// libtorch's CPU kernel does not check label values and reads outside the log-probabilities for one out of
    /// range; FastLoss refuses it with nll_loss's words.
    /// </summary>
    public static ArgumentOutOfRangeException LabelOutOfBounds(long label) =>
        new(null, Format($"Target {label} is out of bounds."));

    public static ArgumentException WorkspaceTooShort(int needed, int actual) =>
        new(Format($"The workspace holds {actual} floats; this call needs {needed} (CtcLoss.WorkspaceLength)."));

    public static ArgumentException SpanLength(string name, int expected, int actual) =>
        new(Format($"{name} has {actual} elements; the layout needs {expected}."));

    /// <summary>CTCLoss.forward takes four arguments; torch's message for a call with two.</summary>
    public static ArgumentException MissingLengths() =>
        new("forward() missing 2 required positional arguments: 'input_lengths' and 'target_lengths'");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
