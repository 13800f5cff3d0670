namespace FastLoss.Autograd;

/// <summary>
/// The span of one public operation call in its thread's <see cref="GraphArena"/>:
/// <c>using var call = OperationCall.Begin(); ... return call.Return(result);</c>. A call made from user code is a
/// top-level call (positions restart and its result is kept for the next few); one made inside a module is not.
/// </summary>
internal readonly ref struct OperationCall
{
    private OperationCall(GraphArena arena) => Arena = arena;

    /// <summary>The thread's arena, where the operation claims its plan and records its node.</summary>
    public GraphArena Arena { get; }

    public static OperationCall Begin()
    {
        GraphArena arena = GraphArena.Current;
        arena.Enter();
        return new OperationCall(arena);
    }

    /// <summary>Marks <paramref name="result"/> as the call's result and returns it.</summary>
    public Tensor Return(Tensor result) => Arena.Result(result);

    public void Dispose() => Arena.Leave();
}
