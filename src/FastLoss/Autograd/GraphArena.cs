using FastLoss.Generation;

namespace FastLoss.Autograd;

/// <summary>
/// A thread's operation results and graph records. Each call of an operation takes the next position of the
/// arena and there reuses the plan (node, output and buffers) that served the same call before, so a training
/// step or an inference call allocates nothing once every position has been planned. Positions are taken again
/// from the start at each top-level call (a call from user code, not from inside a module), skipping the plans
/// that must stay as they are:
/// <list type="bullet">
/// <item>nodes of a graph that has not been backpropagated, and results such a node reads in its backward;</item>
/// <item>the result of each of the last <see cref="KeptResults"/> top-level calls, unless its graph was
/// backpropagated (then it stays readable until a later call reuses it).</item>
/// </list>
/// A backward pass frees the graph it ran (torch's retain_graph=False) and releases every graph recorded before its
/// root that no backward reached (a forward pass whose output was only looked at, or one cut short by an
/// exception). Beyond <see cref="GraphTable.MaxPendingGraphs"/> graphs never backpropagated, the oldest is
/// released. A released graph's nodes are never run, and a backward through them raises.
/// </summary>
internal sealed class GraphArena
{
    /// <summary>The results of this many recent top-level calls are kept from reuse.</summary>
    public const int KeptResults = 8;

    [ThreadStatic] private static GraphArena? t_current;

    private readonly GraphTable _graphs = new();
    private ArenaSlot[] _slots = new ArenaSlot[64];
    private int _slotCount;
    private int _cursor;
    private int _depth;
    private int _call;
    private long _sequence;
    private int _noGradDepth;
    private int _pending;

    // The recorded nodes in recording order (a reverse topological order): a backward pass walks it down from its
    // root. It restarts whenever no node is pending at a top-level call, and drops freed nodes when it grows.
    private NodeEntry[] _records = new NodeEntry[256];
    private int _recordCount;

    // Records below this index are all freed or released (the oldest graphs go first).
    private int _liveFrom;

    /// <summary>This thread's arena.</summary>
    public static GraphArena Current
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Create();
    }

    /// <summary>The thread's backward pass (its buffers are reused by every pass).</summary>
    public BackwardPass Pass { get; } = new();

    /// <summary>Whether operations record graph nodes (false inside <see cref="GradMode.NoGrad"/>).</summary>
    public bool IsRecording => _noGradDepth == 0;

    /// <summary>Nodes recorded and not yet freed or released.</summary>
    public int PendingNodes => _pending;

    /// <summary>Graphs recorded and not yet backpropagated or released.</summary>
    public int PendingGraphs => _graphs.LiveGraphs;

    /// <summary>Positions planned so far (memory held by the arena grows with them).</summary>
    public int Positions => _slotCount;

    /// <summary>The recorded nodes, in recording order, for the backward pass.</summary>
    internal ReadOnlySpan<NodeEntry> Records => _records.AsSpan(0, _recordCount);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static GraphArena Create() => t_current = new GraphArena();

    internal void EnterNoGrad() => _noGradDepth++;

    internal void ExitNoGrad() => _noGradDepth--;

    /// <summary>
    /// Enters a call (a module's forward, a loss, a tensor operation). A call from outside any other starts a
    /// top-level call: positions are taken from the start again.
    /// </summary>
    [HotPath]
    public void Enter()
    {
        if (_depth++ == 0)
        {
            _call++;
            _cursor = 0;
            if (_graphs.LiveGraphs > GraphTable.MaxPendingGraphs)
            {
                ReleaseOldGraphs();
            }

            if (_pending == 0)
            {
                _recordCount = 0;
                _liveFrom = 0;
            }
            else if (_recordCount > 256 && _recordCount > 4 * _pending)
            {
                CompactRecords();
            }
        }
    }

    /// <summary>Leaves the call entered last (also when it threw).</summary>
    [HotPath]
    public void Leave() => _depth--;

    /// <summary>The result of the current call; the result of a top-level call is kept for the next few top-level calls.</summary>
    [HotPath]
    public Tensor Result(Tensor result)
    {
        if (_depth == 1)
        {
            for (Node? node = result.Producer; node is not null; node = node.ViewOf)
            {
                node.KeptUntilCall = _call + KeptResults;
            }
        }

        return result;
    }

    /// <summary>
    /// The plan of the next call position for a <typeparamref name="T"/> call by <paramref name="owner"/> on inputs
    /// shaped <paramref name="key"/>: reused when it served such a call before, else created (the caller plans it).
    /// </summary>
    [HotPath]
    public T Claim<T>(object owner, ReadOnlySpan<int> key)
        where T : Node, new()
    {
        while (true)
        {
            if (_cursor == _slotCount)
            {
                AddSlot();
            }

            T? node = _slots[_cursor++].Take<T>(this, owner, key, _call);
            if (node is not null)
            {
                node.State = NodeState.Unrecorded;
                node.KeptUntilCall = 0;
                node.Next0 = null;
                node.Next1 = null;
                node.Next2 = null;
                node.ViewOf = null;
                if (node.IsPlanned)
                {
                    node.Output.GradFn = null;
                }

                return node;
            }
        }
    }

    /// <summary>Whether a call on these inputs records a node: grad mode is on and one of them requires grad.</summary>
    [HotPath]
    public bool WantsGraph(Tensor? a, Tensor? b = null, Tensor? c = null) =>
        _noGradDepth == 0 && ((a?.RequiresGrad ?? false) || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false));

    /// <summary>
    /// Records <paramref name="node"/> (after its forward computation succeeded) with the tensors its backward
    /// reads: recorded ones link the graph, unrecorded results of this arena are kept from reuse while it is pending.
    /// </summary>
    [HotPath]
    public void Record(Node node, Tensor? input0, Tensor? input1 = null, Tensor? input2 = null)
    {
        node.Sequence = ++_sequence;
        node.State = NodeState.Pending;
        _pending++;
        node.Next0 = Link(input0);
        node.Next1 = Link(input1);
        node.Next2 = Link(input2);
        node.Pinned0 = Pin(input0);
        node.Pinned1 = Pin(input1);
        node.Pinned2 = Pin(input2);
        int graph0 = node.Next0 is { State: NodeState.Pending } n0 ? n0.Graph : -1;
        int graph1 = node.Next1 is { State: NodeState.Pending } n1 ? n1.Graph : -1;
        int graph2 = node.Next2 is { State: NodeState.Pending } n2 ? n2.Graph : -1;
        node.Graph = _graphs.Join(graph0, graph1, graph2, node.Sequence);
        node.Output.GradFn = node;
        if (_recordCount == _records.Length)
        {
            GrowRecords();
        }

        node.RecordIndex = _recordCount;
        _records[_recordCount++].Node = node;
    }

    /// <summary>Frees a node whose graph was backpropagated: its buffers may be reused by later calls.</summary>
    public void Free(Node node)
    {
        Drop(node, NodeState.Freed);
        node.KeptUntilCall = 0;
    }

    /// <summary>Releases a pending node that no backward reached (its graph was recorded before a backpropagated root).</summary>
    public void Release(Node node) => Drop(node, NodeState.Discarded);

    /// <summary>Releases every graph of this thread and forgets its plans (a reset, for a thread done with a model).</summary>
    public void ReleaseAll()
    {
        for (int s = 0; s < _slotCount; s++)
        {
            foreach (Node? plan in _slots[s].Plans)
            {
                if (plan is { State: NodeState.Pending })
                {
                    plan.State = NodeState.Discarded;
                }
            }
        }

        _slots = new ArenaSlot[64];
        _slotCount = 0;
        _cursor = 0;
        _pending = 0;
        _records = new NodeEntry[256];
        _recordCount = 0;
        _liveFrom = 0;
        _graphs.Clear();
    }

    private void Drop(Node node, NodeState state)
    {
        if (node.State == NodeState.Pending)
        {
            _pending--;
            _graphs.Leave(node.Graph);
        }

        node.State = state;
        Unpin(node);
    }

    private static Node? Link(Tensor? input) => input?.GradFn;

    private static Node? Pin(Tensor? input)
    {
        Node? producer = input is { GradFn: null } ? input.Producer : null;
        if (producer is null)
        {
            return null;
        }

        for (Node? node = producer; node is not null; node = node.ViewOf)
        {
            node.Pins++;
        }

        return producer;
    }

    private static void Unpin(Node node)
    {
        if (node.Pinned0 is null && node.Pinned1 is null && node.Pinned2 is null)
        {
            return;
        }

        for (Node? pinned = node.Pinned0; pinned is not null; pinned = pinned.ViewOf)
        {
            pinned.Pins--;
        }

        for (Node? pinned = node.Pinned1; pinned is not null; pinned = pinned.ViewOf)
        {
            pinned.Pins--;
        }

        for (Node? pinned = node.Pinned2; pinned is not null; pinned = pinned.ViewOf)
        {
            pinned.Pins--;
        }

        node.Pinned0 = null;
        node.Pinned1 = null;
        node.Pinned2 = null;
    }

    /// <summary>Releases the oldest graphs until at most <see cref="GraphTable.MaxPendingGraphs"/> are pending.</summary>
    private void ReleaseOldGraphs()
    {
        while (_graphs.LiveGraphs > GraphTable.MaxPendingGraphs)
        {
            // The oldest graph's nodes come first in the record list: scan from the front until they are all gone.
            int oldest = _graphs.Oldest();
            for (int i = _liveFrom; i < _recordCount && _graphs.PendingOf(oldest) > 0; i++)
            {
                Node node = _records[i].Node;
                if (node.State == NodeState.Pending && node.RecordIndex == i && _graphs.IsIn(node.Graph, oldest))
                {
                    Drop(node, NodeState.Discarded);
                }
            }
        }

        while (_liveFrom < _recordCount && !IsLiveRecord(_liveFrom))
        {
            _liveFrom++;
        }
    }

    /// <summary>Keeps only the pending nodes in the record list (freed ones are never visited again).</summary>
    private void CompactRecords()
    {
        int kept = 0;
        for (int i = 0; i < _recordCount; i++)
        {
            Node node = _records[i].Node;
            if (node.State == NodeState.Pending && node.RecordIndex == i)
            {
                node.RecordIndex = kept;
                _records[kept++].Node = node;
            }
        }

        Array.Clear(_records, kept, _recordCount - kept);
        _recordCount = kept;
        _liveFrom = 0;
    }

    private bool IsLiveRecord(int i) => _records[i].Node.State == NodeState.Pending && _records[i].Node.RecordIndex == i;

    private void GrowRecords() => Array.Resize(ref _records, _records.Length * 2);

    private void AddSlot()
    {
        if (_slotCount == _slots.Length)
        {
            Array.Resize(ref _slots, _slotCount * 2);
        }

        _slots[_slotCount++] = new ArenaSlot();
    }
}
