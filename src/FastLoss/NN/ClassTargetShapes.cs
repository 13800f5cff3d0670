using System.Globalization;
using FastLoss.Functional;
using FastLoss.Functional.Classification;

namespace FastLoss.NN;

/// <summary>
/// The shape rules of CrossEntropyLoss and NLLLoss, checked in torch's order (nll_loss_nd, then nll_loss for 1-D and
/// 2-D inputs or nll_loss2d for the others) so that each mistake gets torch's message.
/// </summary>
internal static class ClassTargetShapes
{
    /// <summary>
    /// CrossEntropyLoss's checks of an index target: torch's cross_entropy reads a target shaped like the input as
    /// class probabilities, which must be floats, before the checks of <see cref="ForIndexTarget"/>.
    /// </summary>
    public static ClassLayout ForCrossEntropyIndexTarget(ReadOnlySpan<int> input, ReadOnlySpan<int> target, Tensor? weight)
    {
        if (input.SequenceEqual(target))
        {
            throw new ArgumentException("Expected floating point type for target with class probabilities, got Long");
        }

        return ForIndexTarget(input, target, weight);
    }

    /// <summary>Checks an index target and the weight against the input; returns the input's class layout.</summary>
    public static ClassLayout ForIndexTarget(ReadOnlySpan<int> input, ReadOnlySpan<int> target, Tensor? weight)
    {
        int rank = input.Length;
        if (rank == 0)
        {
            throw new ArgumentException("Expected 1 or more dimensions (got 0)");
        }

        if (rank != 1)
        {
            if (target.Length == 0)
            {
                throw new ArgumentException($"Expected target size {EntryShapeText(input)}, got {TensorShape.FormatList(target)}");
            }

            if (input[0] != target[0])
            {
                throw ClassLossErrors.BatchMismatch(input[0], target[0]);
            }
        }

        if (rank <= 2)
        {
            if (target.Length > 1)
            {
                throw new ArgumentException("0D or 1D target tensor expected, multi-target not supported");
            }

            // An unbatched (C) input takes a 0-dim target. torch's forward also takes a one-element 1-D target, but its
            // backward then fails with the size mismatch below; FastLoss refuses it up front with that message.
            if (rank == 1 && target.Length == 1)
            {
                throw target[0] != 1
                    ? new ArgumentException(string.Create(
                        CultureInfo.InvariantCulture, $"For 1D input, 1D target must have size 1, but got target size: {target[0]}"))
                    : new ArgumentException($"size mismatch (got input: {TensorShape.FormatList(input)}, target: {TensorShape.FormatList(target)})");
            }

            int classes = input[rank - 1];
            if (weight is not null && (weight.Rank != 1 || weight.Length != classes))
            {
                throw ClassLossErrors.WeightLength(classes, weight.Shape, probabilityTargets: false);
            }
        }
        else if (rank == 4)
        {
            if (target.Length != 3)
            {
                throw new ArgumentException(
                    $"only batches of spatial targets supported (3D tensors) but got targets of dimension: {target.Length}");
            }

            if (weight is not null && weight.Length != input[1])
            {
                throw ClassLossErrors.SpatialWeightLength(input[1], weight.Length);
            }

            if (input[2] != target[1] || input[3] != target[2])
            {
                // torch's message has no closing parenthesis.
                throw new ArgumentException(
                    $"size mismatch (got input: {TensorShape.FormatList(input)} , target: {TensorShape.FormatList(target)}");
            }
        }
        else
        {
            if (!target[1..].SequenceEqual(input[2..]))
            {
                throw new ArgumentException($"Expected target size {EntryShapeText(input)}, got {TensorShape.FormatList(target)}");
            }

            if (weight is not null && weight.Length != input[1])
            {
                throw ClassLossErrors.SpatialWeightLength(input[1], weight.Length);
            }
        }

        return ClassLayout.ForLossInput(input);
    }

    /// <summary>
    /// Checks a probability target. torch takes a float target as probabilities only when its shape equals the
    /// input's; otherwise it goes down the class-index path and fails there, so that path's message is given.
    /// </summary>
    public static ClassLayout ForProbabilityTarget(ReadOnlySpan<int> input, ReadOnlySpan<int> target, Tensor? weight, long ignoreIndex)
    {
        if (!input.SequenceEqual(target))
        {
            // torch takes such a target as class indices and fails on its type; the shapes say why.
            string shapes = $"a float target is taken as class probabilities only when its shape equals the input's: target {TensorShape.Format(target)}, input {TensorShape.Format(input)}";
            try
            {
                ForIndexTarget(input, target, weight);
            }
            catch (ArgumentException error)
            {
                throw new ArgumentException($"{error.Message} ({shapes})", error);
            }

            throw new ArgumentException($"expected scalar type Long but found Float ({shapes})");
        }

        if (ignoreIndex >= 0)
        {
            throw ClassLossErrors.IgnoreIndexWithProbabilities();
        }

        ClassLayout layout = ClassLayout.ForLossInput(input);
        if (weight is not null && (weight.Rank != 1 || weight.Length != layout.Classes))
        {
            throw ClassLossErrors.WeightLength(layout.Classes, weight.Shape, probabilityTargets: true);
        }

        return layout;
    }

    /// <summary>The entries' shape (N, d1, ..., dk) as torch prints it in "Expected target size".</summary>
    private static string EntryShapeText(ReadOnlySpan<int> input)
    {
        var entries = new int[input.Length - 1];
        entries[0] = input[0];
        input[2..].CopyTo(entries.AsSpan(1));
        return TensorShape.FormatList(entries);
    }
}
