using FastLoss.Autograd;
using FastLoss.Functional.Classification;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.CrossEntropyLoss: log_softmax over the class dimension (dim 1, or dim 0 for an unbatched (C) input)
/// followed by the negative log-likelihood, for class-index targets (<see cref="IndexTensor"/> shaped (), (N) or
/// (N, d1, ..., dk)) or class-probability targets (a <see cref="Tensor"/> shaped like the input). Inputs of
/// shape (N, C, d1, ..., dk) are read in place (the class dimension is strided). See
/// <see cref="CrossEntropy"/> for the formulas of weights, ignore_index, label smoothing and the reductions.
/// <para>
/// When the input requires a gradient and the tape is recording, the forward pass also computes the input's
/// gradient (one fused pass over the logits) and records a node that adds upstream x that gradient into
/// <c>input.Grad</c> on <c>loss.Backward()</c>. The returned tensor is owned by this loss and reused: each call
/// overwrites it (allocating only when the shape of the entries changes). An instance keeps the gradient of its
/// latest forward call, so run one forward per backward on each instance.
/// </para>
/// </summary>
public sealed class CrossEntropyLoss
{
    private readonly LossOutputPlan _plan = new();
    private readonly FusedGradientNode _node = new();

    /// <param name="weight">A weight per class (1-D, length C), or null. The tensor is read at every call, not copied.</param>
    /// <param name="ignoreIndex">Class-index targets equal to this contribute nothing; must be negative with probability targets.</param>
    /// <param name="reduction">None, Mean (the default) or Sum.</param>
    /// <param name="labelSmoothing">eps in [0, 1]: the target becomes (1 - eps) * target + eps / C.</param>
    public CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
    {
        SpanArguments.RequireReduction(reduction);
        SpanArguments.RequireLabelSmoothing(labelSmoothing);
        Weight = weight;
        IgnoreIndex = ignoreIndex;
        Reduction = reduction;
        LabelSmoothing = labelSmoothing;
    }

    public Tensor? Weight { get; }

    public long IgnoreIndex { get; }

    public Reduction Reduction { get; }

    public float LabelSmoothing { get; }

    /// <summary>The loss of raw logits <paramref name="input"/> against class indices <paramref name="target"/>.</summary>
    [HotPath]
    public Tensor Forward(Tensor input, IndexTensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ClassLayout layout = ClassTargetShapes.ForCrossEntropyIndexTarget(input.Shape, target.Shape, Weight);
        CrossEntropyOptions options = Options();
        double denominator = ClassTargets.Scan(target.Span, layout.Classes, options.Weight, IgnoreIndex);

        bool record = input.RequiresGrad && Tape.IsRecording;
        Tensor output = _plan.Output(Reduction, input.Shape, ClassDim(input));
        float[]? gradient = record ? _plan.Gradient(layout.Length) : null;
        Span<float> gradientSpan = gradient.AsSpan(0, record ? layout.Length : 0);
        if (Reduction == Reduction.None)
        {
            CrossEntropy.Run(input.Span, layout, target.Span, denominator, options, Reduction, output.Span, gradientSpan, 1f, []);
        }
        else
        {
            output.Span[0] = CrossEntropy.Run(input.Span, layout, target.Span, denominator, options, Reduction, [], gradientSpan, 1f, []);
        }

        return Finish(output, input, gradient, layout);
    }

    /// <summary>The loss of raw logits <paramref name="input"/> against class probabilities <paramref name="target"/> (the input's shape).</summary>
    [HotPath]
    public Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ClassLayout layout = ClassTargetShapes.ForProbabilityTarget(input.Shape, target.Shape, Weight, IgnoreIndex);
        CrossEntropyOptions options = Options();

        bool record = input.RequiresGrad && Tape.IsRecording;
        Tensor output = _plan.Output(Reduction, input.Shape, ClassDim(input));
        float[]? gradient = record ? _plan.Gradient(layout.Length) : null;
        Span<float> gradientSpan = gradient.AsSpan(0, record ? layout.Length : 0);
        if (Reduction == Reduction.None)
        {
            CrossEntropy.Run(input.Span, layout, target.Span, options, Reduction, output.Span, gradientSpan, 1f, []);
        }
        else
        {
            output.Span[0] = CrossEntropy.Run(input.Span, layout, target.Span, options, Reduction, [], gradientSpan, 1f, []);
        }

        return Finish(output, input, gradient, layout);
    }

    private CrossEntropyOptions Options() => new()
    {
        Weight = Weight is null ? [] : Weight.Span,
        IgnoreIndex = IgnoreIndex,
        LabelSmoothing = LabelSmoothing,
    };

    private static int ClassDim(Tensor input) => input.Rank == 1 ? 0 : 1;

    private Tensor Finish(Tensor output, Tensor input, float[]? gradient, ClassLayout layout)
    {
        output.RequiresGrad = gradient is not null;
        if (gradient is not null)
        {
            _node.Set(output, input, gradient, layout, perEntry: Reduction == Reduction.None);
            Tape.Record(_node);
        }

        return output;
    }
}
