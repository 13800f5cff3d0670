namespace FastLoss.Autograd;

/// <summary>
/// One call of an operation (torch's grad_fn): its output, what its backward needs, and the links to the nodes
/// that produced its inputs. A node is also the plan of its call site: it lives in a slot of its thread's
/// <see cref="GraphArena"/> and is reused, buffers and all, by a later call with the same owner and input shapes
/// once its graph has been freed. Each subclass implements one operation's backward.
/// </summary>
internal abstract class Node
{
    private float[] _outputGrad = [];
    private Tensor? _output;

    /// <summary>The module or operation that planned this node; part of the key under which it is reused.</summary>
    internal object? Owner { get; private set; }

    /// <summary>The input shapes the node was planned for (the rest of the key).</summary>
    internal int[] PlannedKey { get; private set; } = [];

    /// <summary>The arena this node belongs to (the thread that recorded it).</summary>
    internal GraphArena? Arena { get; private set; }

    internal NodeState State { get; set; }

    /// <summary>Recording order: a backward pass runs nodes from the highest sequence down.</summary>
    internal long Sequence { get; set; }

    /// <summary>Where the node is in its arena's list of recorded nodes (valid while it is pending).</summary>
    internal int RecordIndex { get; set; }

    /// <summary>The last top-level call for which the output is kept (results are kept for a few calls).</summary>
    internal int KeptUntilCall { get; set; }

    /// <summary>How many pending nodes read this node's output without being linked to it (it was not recorded).</summary>
    internal int Pins { get; set; }

    /// <summary>The pending graph this node belongs to (an entry of the arena's <see cref="GraphTable"/>).</summary>
    internal int Graph { get; set; }

    /// <summary>During a backward pass: the node is reached from the root.</summary>
    internal bool Needed { get; set; }

    /// <summary>During a backward pass: a gradient has been written into <see cref="OutputGrad"/> (later ones add).</summary>
    internal bool GradWritten { get; set; }

    /// <summary>The nodes that produced the inputs (null for leaves and for inputs that were not recorded).</summary>
    internal Node? Next0 { get; set; }

    internal Node? Next1 { get; set; }

    /// <summary>A third producer, for the losses of three tensors (TripletMarginLoss' anchor, positive and negative).</summary>
    internal Node? Next2 { get; set; }

    /// <summary>Producers of unrecorded inputs this node reads in its backward, kept from reuse while it is pending.</summary>
    internal Node? Pinned0 { get; set; }

    internal Node? Pinned1 { get; set; }

    internal Node? Pinned2 { get; set; }

    /// <summary>For a view: the node whose storage the output shares, kept alive with it.</summary>
    internal Node? ViewOf { get; set; }

    /// <summary>The tensor this call produced (set when the node is planned).</summary>
    internal Tensor Output => _output ?? throw new InvalidOperationException("The node has no output: it was not planned.");

    /// <summary>Whether the node has been planned (has its output).</summary>
    internal bool IsPlanned => _output is not null;

    /// <summary>Whether the arena must not hand this node out again yet.</summary>
    internal bool IsKept(int call) => State == NodeState.Pending || Pins > 0 || KeptUntilCall >= call;

    /// <summary>The gradient of <see cref="Output"/>, written by the consumers' backward steps.</summary>
    internal Span<float> OutputGrad => OutputGradArray.AsSpan(0, Output.Length);

    /// <summary>The array behind <see cref="OutputGrad"/> (allocated on the first backward pass through the plan).</summary>
    internal float[] OutputGradArray
    {
        get
        {
            if (_outputGrad.Length < Output.Length)
            {
                _outputGrad = new float[Output.Length];
            }

            return _outputGrad;
        }
    }

    /// <summary>Adds the inputs' gradients from <see cref="OutputGrad"/>, through <see cref="BackwardPass.GradientFor"/>.</summary>
    internal abstract void Backward(BackwardPass pass);

    /// <summary>Whether this plan serves a call by <paramref name="owner"/> on inputs of <paramref name="key"/>.</summary>
    internal bool Serves(object owner, ReadOnlySpan<int> key) =>
        ReferenceEquals(Owner, owner) && key.SequenceEqual(PlannedKey);

    /// <summary>The output, allocated shaped <paramref name="shape"/> the first time the node is used.</summary>
    protected Tensor PlanOutput(ReadOnlySpan<int> shape)
    {
        if (_output is null)
        {
            SetOutput(Tensor.ForOutput(shape));
        }

        return _output!;
    }

    /// <summary>Makes <paramref name="output"/> this node's output (when planning; views rebind theirs per call).</summary>
    protected void SetOutput(Tensor output)
    {
        _output = output;
        output.Producer = this;
    }

    /// <summary>Called once when the arena creates the node for a call site.</summary>
    internal void Bind(GraphArena arena, object owner, ReadOnlySpan<int> key)
    {
        Arena = arena;
        Owner = owner;
        PlannedKey = key.ToArray();
    }
}
