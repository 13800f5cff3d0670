using FastLoss.Generation;

namespace FastLoss.Autograd;

/// <summary>
/// Runs a backward pass as torch's engine does: exactly the nodes the root depends on, in reverse recording order
/// (a reverse topological order, since a node is recorded after its inputs), each adding its inputs' gradients.
/// The first gradient to reach a non-leaf tensor is written and later ones add, so no gradient buffer is cleared
/// first; leaf gradients accumulate across passes as in torch. The buffers are the arena's, reused every pass.
/// </summary>
internal sealed class BackwardPass
{
    internal const string SecondBackwardMessage =
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
        "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
        "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

    internal const string ReleasedGraphMessage =
        "Trying to backward through a graph that was released before it was backpropagated: a backward pass releases the graphs " +
        "recorded before its root that it does not reach, and a thread keeps at most 16 graphs that have not been backpropagated " +
        "(see docs/autograd.md). Compute the tensor again, or backpropagate it before the other graph.";

    /// <summary>
    /// Back-propagates <paramref name="seed"/> (the gradient of <paramref name="root"/>, one value per element)
    /// through the graph that produced the root, then frees that graph unless <paramref name="retainGraph"/>.
    /// The arena's record list is walked down from the root: a node is run when a node already run (or the root)
    /// reads its output, which is every node the root depends on, each after all its consumers.
    /// </summary>
    [HotPath]
    public void Run(GraphArena arena, Tensor root, ReadOnlySpan<float> seed, bool retainGraph)
    {
        Node rootNode = root.GradFn!;
        Check(rootNode, arena);
        ReadOnlySpan<NodeEntry> records = arena.Records;
        int first = rootNode.RecordIndex;
        rootNode.Needed = true;
        seed.CopyTo(rootNode.OutputGrad);
        rootNode.GradWritten = true;
        try
        {
            for (int i = first; i >= 0; i--)
            {
                // An entry whose node has been recorded again since (its plan reused) is stale.
                Node node = records[i].Node;
                if (node.RecordIndex != i)
                {
                    continue;
                }

                if (!node.Needed)
                {
                    if (!retainGraph && node.State == NodeState.Pending)
                    {
                        // Recorded before this root and reached by no backward: a forward that was only looked at, or cut short.
                        arena.Release(node);
                    }

                    continue;
                }

                Reach(node.Next0, arena);
                Reach(node.Next1, arena);
                Reach(node.Next2, arena);
                if (node.GradWritten)
                {
                    node.Backward(this);
                }

                // Every consumer of this node has run before it, so nothing reads its buffers again in this pass.
                node.Needed = false;
                if (!retainGraph)
                {
                    arena.Free(node);
                }
            }
        }
        catch
        {
            ClearMarks(records, first);
            throw;
        }
    }

    /// <summary>
    /// Where a node's backward puts the gradient for <paramref name="input"/>: the gradient buffer of the node that
    /// produced it, or the leaf's <see cref="Tensor.Grad"/>. <paramref name="accumulate"/> says whether a gradient is
    /// already there (add to it) or not (overwrite every element). Empty when the input needs no gradient.
    /// </summary>
    [HotPath]
    public static Span<float> GradientFor(Tensor input, out bool accumulate)
    {
        GradientTarget target = GradientTarget.For(input);
        accumulate = target.Accumulate;
        return target.Span;
    }

    /// <summary>Whether a backward step should compute the gradient of <paramref name="input"/>.</summary>
    [HotPath]
    public static bool Wants(Tensor? input) => input is not null && (input.GradFn is { Needed: true } || (input.GradFn is null && input.RequiresGrad));

    private static void Check(Node node, GraphArena arena)
    {
        if (node.State == NodeState.Freed)
        {
            throw new InvalidOperationException(SecondBackwardMessage);
        }

        if (node.State != NodeState.Pending)
        {
            throw new InvalidOperationException(ReleasedGraphMessage);
        }

        if (!ReferenceEquals(node.Arena, arena))
        {
            throw new InvalidOperationException(
                "This tensor's graph was recorded on another thread: run its backward pass on the thread that computed it.");
        }
    }

    /// <summary>Marks an input's node as part of this pass (it runs when the walk gets to it); its gradient starts empty.</summary>
    private static void Reach(Node? next, GraphArena arena)
    {
        if (next is null || next.Needed)
        {
            return;
        }

        Check(next, arena);
        next.Needed = true;
        next.GradWritten = false;
    }

    private static void ClearMarks(ReadOnlySpan<NodeEntry> records, int first)
    {
        for (int i = first; i >= 0; i--)
        {
            records[i].Node.Needed = false;
        }
    }
}
