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

    private Node[] _order = new Node[64];
    private long[] _keys = new long[64];
    private Node[] _stack = new Node[64];
    private int _count;

    /// <summary>
    /// Back-propagates <paramref name="seed"/> (the gradient of <paramref name="root"/>, one value per element)
    /// through the graph that produced the root, then frees that graph unless <paramref name="retainGraph"/>.
    /// </summary>
    [HotPath]
    public void Run(GraphArena arena, Tensor root, ReadOnlySpan<float> seed, bool retainGraph)
    {
        Node rootNode = root.GradFn!;
        Check(rootNode, arena);
        Collect(rootNode, arena);
        try
        {
            for (int i = 0; i < _count; i++)
            {
                _order[i].GradWritten = false;
            }

            seed.CopyTo(rootNode.OutputGrad);
            rootNode.GradWritten = true;
            for (int i = 0; i < _count; i++)
            {
                Node node = _order[i];
                if (node.GradWritten)
                {
                    node.Backward(this);
                }
            }

            if (!retainGraph)
            {
                for (int i = 0; i < _count; i++)
                {
                    arena.Free(_order[i]);
                }

                arena.ReleaseUnreachedBefore(rootNode.Sequence);
            }
        }
        finally
        {
            for (int i = 0; i < _count; i++)
            {
                _order[i].Needed = false;
                _order[i] = null!;
            }

            _count = 0;
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

    /// <summary>Gathers the nodes reachable from the root and sorts them from the last recorded down.</summary>
    private void Collect(Node root, GraphArena arena)
    {
        int stackCount = 0;
        _count = 0;
        root.Needed = true;
        _stack[stackCount++] = root;
        try
        {
            while (stackCount > 0)
            {
                Node node = _stack[--stackCount];
                _stack[stackCount] = null!;
                Add(node);
                stackCount = Push(node.Next0, stackCount, arena);
                stackCount = Push(node.Next1, stackCount, arena);
            }
        }
        catch
        {
            for (int i = 0; i < stackCount; i++)
            {
                _stack[i].Needed = false;
                _stack[i] = null!;
            }

            for (int i = 0; i < _count; i++)
            {
                _order[i].Needed = false;
                _order[i] = null!;
            }

            _count = 0;
            throw;
        }

        Array.Sort(_keys, _order, 0, _count);
    }

    private int Push(Node? next, int stackCount, GraphArena arena)
    {
        if (next is null || next.Needed)
        {
            return stackCount;
        }

        Check(next, arena);
        next.Needed = true;
        if (stackCount == _stack.Length)
        {
            Array.Resize(ref _stack, stackCount * 2);
        }

        _stack[stackCount] = next;
        return stackCount + 1;
    }

    private void Add(Node node)
    {
        if (_count == _order.Length)
        {
            Array.Resize(ref _order, _count * 2);
            Array.Resize(ref _keys, _count * 2);
        }

        _order[_count] = node;
        _keys[_count] = -node.Sequence;
        _count++;
    }
}
