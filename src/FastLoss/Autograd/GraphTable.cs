namespace FastLoss.Autograd;

/// <summary>
/// The graphs of a thread that are recorded and not yet backpropagated, as a union-find over small integer ids:
/// a node joins the graph of its recorded inputs (merging them when there are several) or starts a new one.
/// Torch frees a graph when its last tensor is dropped; without reference counts, a thread keeps at most
/// <see cref="MaxPendingGraphs"/> of them and the arena releases the oldest beyond that (a forward pass that is
/// never backpropagated, in a loop, then keeps memory flat).
/// </summary>
internal sealed class GraphTable
{
    /// <summary>Graphs not backpropagated that a thread keeps; a new one beyond this releases the oldest.</summary>
    public const int MaxPendingGraphs = 16;

    private int[] _parent = new int[MaxPendingGraphs * 2];
    private int[] _pending = new int[MaxPendingGraphs * 2];
    private long[] _started = new long[MaxPendingGraphs * 2];
    private int _count;

    /// <summary>How many distinct graphs hold pending nodes.</summary>
    public int LiveGraphs { get; private set; }

    /// <summary>The graph of a node whose recorded inputs are in <paramref name="a"/> and <paramref name="b"/> (-1: none).</summary>
    public int Join(int a, int b, long sequence) => Join(a, b, -1, sequence);

    /// <summary>As <see cref="Join(int, int, long)"/> for a node of three recorded inputs.</summary>
    public int Join(int a, int b, int c, long sequence)
    {
        int root = Union(Union(a < 0 ? -1 : Find(a), b < 0 ? -1 : Find(b)), c < 0 ? -1 : Find(c));
        if (root < 0)
        {
            root = Start(sequence);
        }

        _pending[root]++;
        return root;
    }

    /// <summary>The root of the union of two graphs given by their roots (-1: none).</summary>
    private int Union(int ra, int rb)
    {
        if (ra < 0 || rb < 0 || ra == rb)
        {
            return ra < 0 ? rb : ra;
        }

        // The older graph absorbs the newer, so a merged graph is as old as its oldest part.
        (int keep, int absorbed) = _started[ra] <= _started[rb] ? (ra, rb) : (rb, ra);
        _parent[absorbed] = keep;
        _pending[keep] += _pending[absorbed];
        _pending[absorbed] = 0;
        LiveGraphs--;
        return keep;
    }

    /// <summary>A node of graph <paramref name="graph"/> was freed or released.</summary>
    public void Leave(int graph)
    {
        int root = _parent[graph] == graph ? graph : Find(graph);
        if (--_pending[root] == 0)
        {
            Forget(root);
        }
    }

    /// <summary>The pending nodes of the graph rooted at <paramref name="root"/>.</summary>
    public int PendingOf(int root) => _parent[root] == root ? _pending[root] : 0;

    /// <summary>Whether <paramref name="graph"/> is part of the graph rooted at <paramref name="root"/>.</summary>
    public bool IsIn(int graph, int root) => _parent[graph] >= 0 && Find(graph) == root;

    /// <summary>The oldest graph that holds pending nodes.</summary>
    public int Oldest()
    {
        int oldest = -1;
        for (int i = 0; i < _count; i++)
        {
            if (_parent[i] == i && _pending[i] > 0 && (oldest < 0 || _started[i] < _started[oldest]))
            {
                oldest = i;
            }
        }

        return oldest;
    }

    /// <summary>Forgets every graph (the arena released all pending nodes).</summary>
    public void Clear()
    {
        _count = 0;
        LiveGraphs = 0;
    }

    /// <summary>The graph rooted at <paramref name="root"/> has no pending node left: its ids become free.</summary>
    private void Forget(int root)
    {
        LiveGraphs--;

        // Point every live id straight at its root first, so clearing one id never cuts another's path.
        for (int i = 0; i < _count; i++)
        {
            if (_parent[i] >= 0)
            {
                _parent[i] = Find(i);
            }
        }

        for (int i = 0; i < _count; i++)
        {
            if (_parent[i] == root)
            {
                _parent[i] = -1;
            }
        }
    }

    public int Find(int graph)
    {
        int root = graph;
        while (_parent[root] != root)
        {
            root = _parent[root];
        }

        while (_parent[graph] != root)
        {
            int next = _parent[graph];
            _parent[graph] = root;
            graph = next;
        }

        return root;
    }

    private int Start(long sequence)
    {
        int id = -1;
        for (int i = 0; i < _count; i++)
        {
            if (_parent[i] < 0)
            {
                id = i;
                break;
            }
        }

        if (id < 0)
        {
            if (_count == _parent.Length)
            {
                Array.Resize(ref _parent, _count * 2);
                Array.Resize(ref _pending, _count * 2);
                Array.Resize(ref _started, _count * 2);
            }

            id = _count++;
        }

        _parent[id] = id;
        _pending[id] = 0;
        _started[id] = sequence;
        LiveGraphs++;
        return id;
    }
}
