using FastLoss.Autograd;
using FastLoss.Functional.Classification;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.CrossEntropyLoss: log_softmax over the class dimension (dim 1, or dim 0 for an unbatched (C) input)
/// followed by the negative log-likelihood, for class-index targets (<see cref="IndexTensor"/> shaped (), (N) or
/// (N, d1, ..., dk)) or class-probability targets (a <see cref="Tensor"/> shaped like the input, which gets its
/// gradient when it requires grad). Inputs of shape (N, C, d1, ..., dk) are read in place (the class dimension is
/// strided). See <see cref="CrossEntropy"/> for the formulas of weights, ignore_index, label smoothing and the
/// reductions. When the input requires grad, the forward pass also computes the input's gradient (one fused pass
/// over the logits), which backward scales by the upstream gradient.
/// </summary>
public sealed class CrossEntropyLoss : WeightedLoss
{
    /// <param name="weight">A weight per class (1-D, length C), or null. The tensor is read at every call, not copied.</param>
    /// <param name="ignoreIndex">Class-index targets equal to this contribute nothing; must be negative with probability targets.</param>
    /// <param name="reduction">None, Mean (the default) or Sum.</param>
    /// <param name="labelSmoothing">eps in [0, 1]: the target becomes (1 - eps) * target + eps / C.</param>
    public CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
        : base(weight, reduction)
    {
        CrossEntropyPass.RequireLabelSmoothing(labelSmoothing);
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
    }

    public long IgnoreIndex { get; }

    public float LabelSmoothing { get; }

    /// <summary>The loss of raw logits <paramref name="input"/> against class indices <paramref name="target"/>.</summary>
    [HotPath]
    public Tensor Forward(Tensor input, IndexTensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        using var call = OperationCall.Begin();
        ClassLayout layout = ClassTargetShapes.ForCrossEntropyIndexTarget(input.Shape, target.Shape, Weight);
        CrossEntropyOptions options = Options();
        double denominator = ClassLossArguments.ScanIndexTargets(target.Span, layout.Classes, options.Weight, IgnoreIndex);

        GraphArena arena = call.Arena;
        ClassLossNode node = arena.Claim<ClassLossNode>(this, input.Shape);
        Tensor output = node.Plan(Reduction, input.Shape);
        bool record = arena.WantsGraph(input);
        Span<float> gradient = record ? node.Gradient(layout.Length) : [];
        if (Reduction == Reduction.None)
        {
            CrossEntropy.Run(input.Data, layout, target.Span, denominator, options, Reduction, output.Data, gradient, 1f, []);
        }
        else
        {
            output.Data[0] = CrossEntropy.Run(input.Data, layout, target.Span, denominator, options, Reduction, [], gradient, 1f, []);
        }

        if (record)
        {
            node.SetCrossEntropy(input, null, layout);
            arena.Record(node, input);
        }

        return call.Return(output);
    }

    /// <summary>The loss of raw logits <paramref name="input"/> against class probabilities <paramref name="target"/> (the input's shape).</summary>
    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input, Tensor target)
    {
        ClassLayout layout = ClassTargetShapes.ForProbabilityTarget(input.Shape, target.Shape, Weight, IgnoreIndex);
        CrossEntropyOptions options = Options();

        ClassLossNode node = arena.Claim<ClassLossNode>(this, input.Shape);
        Tensor output = node.Plan(Reduction, input.Shape);
        bool record = arena.WantsGraph(input, target);
        Span<float> gradient = record && input.RequiresGrad ? node.Gradient(layout.Length) : [];
        if (Reduction == Reduction.None)
        {
            CrossEntropy.Run(input.Data, layout, target.Data, options, Reduction, output.Data, gradient, 1f, []);
        }
        else
        {
            output.Data[0] = CrossEntropy.Run(input.Data, layout, target.Data, options, Reduction, [], gradient, 1f, []);
        }

        if (record)
        {
            node.SetCrossEntropy(input, target, layout);
            arena.Record(node, input, target);
        }

        return output;
    }

    private CrossEntropyOptions Options() => new()
    {
        Weight = Weight is null ? [] : Weight.Values,
        IgnoreIndex = IgnoreIndex,
        LabelSmoothing = LabelSmoothing,
    };
}
