namespace FastLoss.Autograd;

/// <summary>
/// Whether operations on this thread record graph nodes for backward (torch's grad mode), and the scope that turns
/// it off for inference: <c>using (GradMode.NoGrad()) { ... }</c>, as torch's <c>with torch.no_grad():</c>.
/// </summary>
public static class GradMode
{
    /// <summary>Whether operations are recorded on this thread (false inside <see cref="NoGrad"/>; torch.is_grad_enabled()).</summary>
    public static bool IsEnabled => GraphArena.Current.IsRecording;

    /// <summary>A scope in which nothing is recorded, for inference and evaluation; scopes nest.</summary>
    public static NoGradScope NoGrad()
    {
        GraphArena arena = GraphArena.Current;
        arena.EnterNoGrad();
        return new NoGradScope(arena);
    }

    /// <summary>
    /// Releases every graph this thread holds and the buffers of its results, as when a thread is done with a model.
    /// Tensors computed on this thread before the call must not be used after it.
    /// </summary>
    public static void ReleaseThreadResults() => GraphArena.Current.ReleaseAll();

    /// <summary>Graph nodes this thread has recorded and not yet backpropagated or released (a diagnostic: 0 after a training step).</summary>
    public static int PendingNodes => GraphArena.Current.PendingNodes;
}

/// <summary>Ends a <see cref="GradMode.NoGrad"/> scope; a struct, so entering one allocates nothing.</summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly GraphArena? _arena;

    internal NoGradScope(GraphArena arena) => _arena = arena;

    public void Dispose() => _arena?.ExitNoGrad();
}
