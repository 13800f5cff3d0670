using FastLoss.Autograd;
using FastLoss.Functional.Margin;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.MultiLabelMarginLoss(reduction): the multi-label hinge loss of (N, C) scores, or unbatched (C) ones,
/// against targets of the input's shape holding each row's class indices up to the first -1.
/// </summary>
public sealed class MultiLabelMarginLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <summary>The loss of <paramref name="input"/> scores against the padded class indices <paramref name="target"/>.</summary>
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
        throw new ArgumentException("MultiLabelMarginLoss takes class indices: pass the target as an IndexTensor", nameof(target));

    [HotPath]
    private Tensor Compute(GraphArena arena, Tensor input, IndexTensor target)
    {
        MarginScores.Require(input);

        if (!target.Shape.SequenceEqual(input.Shape))
        {
            throw new ArgumentException($"inconsistent target size: {TensorShape.FormatList(target.Shape)} for input of size: {TensorShape.FormatList(input.Shape)}", nameof(target));
        }

        int classes = input.Shape[^1];
        int rows = input.Rank == 1 ? 1 : input.Shape[0];
        MultiLabelMargin.Check(input.Data, target.Span, classes);
        RowGradientNode node = arena.Claim<RowGradientNode>(this, input.Shape);
        Tensor output = node.Plan(Reduction == Reduction.None && input.Rank == 2 ? input.Shape[..1] : []);
        bool record = arena.WantsGraph(input);
        Span<float> gradient = record ? node.Gradient(input.Length) : default;
        if (Reduction == Reduction.None)
        {
            MultiLabelMargin.ForwardNone(input.Data, target.Span, classes, output.Data);
            if (record)
            {
                MultiLabelMargin.BackwardNone(input.Data, target.Span, classes, node.Ones(rows), gradient);
            }
        }
        else
        {
            output.Data[0] = record
                ? MultiLabelMargin.ForwardBackward(input.Data, target.Span, classes, gradient, Reduction)
                : MultiLabelMargin.Forward(input.Data, target.Span, classes, Reduction);
        }

        if (record)
        {
            node.Set(input, classes);
            arena.Record(node, input);
        }

        return output;
    }
}
