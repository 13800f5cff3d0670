using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Functional.Margin;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.MultiMarginLoss(p, margin, weight, reduction): the multi-class hinge loss of (N, C) scores, or unbatched
/// (C) ones, against class-index targets; p 1 (the default) or 2, a weight per class.
/// </summary>
public sealed class MultiMarginLoss : Loss
{
    public MultiMarginLoss(float p = 1f, float margin = 1f, Tensor? weight = null, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        if (p is not (1f or 2f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), "only p == 1 and p == 2 supported");
        }

        P = p;
        Margin = margin;
        Weight = weight;
    }

    public float P { get; }

    public float Margin { get; }

    /// <summary>The weight of each class (1-D, length C), or null. Read at every call.</summary>
    public Tensor? Weight { get; }

    /// <summary>The loss of <paramref name="input"/> scores against class indices <paramref name="target"/>.</summary>
    [HotPath]
    public Tensor Forward(Tensor input, IndexTensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        using var call = OperationCall.Begin();
        return call.Return(Compute(call.Arena, input, target));
    }

    /// <summary>A float target is not class indices.</summary>
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        throw new ArgumentException("MultiMarginLoss takes class indices: pass the target as an IndexTensor", nameof(target));

    [HotPath]
    private Tensor Compute(GraphArena arena, Tensor input, IndexTensor target)
    {
        MarginScores.Require(input);

        int classes = input.Shape[^1];
        int rows = input.Rank == 1 ? 1 : input.Shape[0];
        if (target.Length != rows || target.Rank > 1)
        {
            throw new ArgumentException($"inconsistent target size, expected {rows} but got {TensorShape.FormatList(target.Shape)}", nameof(target));
        }

        var options = new MultiMarginOptions { P = P, Margin = Margin, ClassWeight = Weight is null ? default : Weight.Data };
        var layout = new ClassLayout(rows, classes, 1);

        // The checks first, so a refused call claims nothing from the arena.
        MultiMarginPass.CheckOptions(options, classes, probabilityTargets: false);
        MultiMarginPass.CheckIndexTargets(target.Span, classes);
        RowGradientNode node = arena.Claim<RowGradientNode>(this, input.Shape);
        Tensor output = node.Plan(Reduction == Reduction.None && input.Rank == 2 ? input.Shape[..1] : []);
        bool record = arena.WantsGraph(input);
        Span<float> gradient = record ? node.Gradient(input.Length) : default;
        if (Reduction == Reduction.None)
        {
            if (record)
            {
                MultiMargin.ForwardBackwardNone(input.Data, layout, target.Span, output.Data, gradient, options);
            }
            else
            {
                MultiMargin.ForwardNone(input.Data, layout, target.Span, output.Data, options);
            }
        }
        else
        {
            output.Data[0] = record
                ? MultiMargin.ForwardBackward(input.Data, layout, target.Span, gradient, options, Reduction)
                : MultiMargin.Forward(input.Data, layout, target.Span, options, Reduction);
        }

        if (record)
        {
            node.Set(input, classes);
            arena.Record(node, input);
        }

        return output;
    }
}
