using FastLoss.Autograd;
using FastLoss.Generation;
using FastLoss.Tensors.Operations;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.Flatten(start_dim = 1, end_dim = -1): merges dimensions start..end into one. The output is a view of the
/// input's elements (no copy); its gradient passes back unchanged.
/// </summary>
public sealed class Flatten : Module
{
    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    public int StartDim { get; }

    public int EndDim { get; }

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        // No parameters.
    }

    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input)
    {
        int rank = input.Rank;
        int start = TensorShape.NormalizeDim(StartDim, rank);
        int end = TensorShape.NormalizeDim(EndDim, rank);
        if (start > end)
        {
            throw new ArgumentException("flatten() has invalid args: start_dim cannot come after end_dim", nameof(input));
        }

        Span<int> shape = stackalloc int[Math.Max(1, rank - (end - start))];
        if (rank == 0)
        {
            shape[0] = 1;
        }
        else
        {
            int merged = 1;
            for (int d = start; d <= end; d++)
            {
                merged *= input.Shape[d];
            }

            input.Shape[..start].CopyTo(shape);
            shape[start] = merged;
            input.Shape[(end + 1)..].CopyTo(shape[(start + 1)..]);
        }

        ViewNode node = arena.Claim<ViewNode>(this, input.Shape);
        Tensor output = node.Bind(input, shape);
        if (arena.WantsGraph(input))
        {
            arena.Record(node, input);
        }

        return output;
    }
}
