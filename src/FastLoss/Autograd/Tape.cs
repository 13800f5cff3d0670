using FastLoss.Generation;

namespace FastLoss.Autograd;

/// <summary>
/// The per-thread record of operations since the last backward pass, replayed in reverse by
/// <see cref="Tensor.Backward"/>. Its array grows once to the depth of the network and is reused.
/// </summary>
public static class Tape
{
    [ThreadStatic] private static IBackwardNode?[]? t_nodes;
    [ThreadStatic] private static int t_count;
    [ThreadStatic] private static int t_noGradDepth;

    /// <summary>Whether operations are being recorded on this thread (false inside <see cref="NoGrad"/>).</summary>
    public static bool IsRecording => t_noGradDepth == 0;

    /// <summary>The number of operations recorded since the last backward pass.</summary>
    public static int Count => t_count;

    /// <summary>Records an operation whose backward must run when the loss is differentiated.</summary>
    [HotPath]
    public static void Record(IBackwardNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!IsRecording)
        {
            return;
        }

        var nodes = t_nodes;
        if (nodes is null || t_count == nodes.Length)
        {
            nodes = Grow();
        }

        nodes[t_count++] = node;
    }

    /// <summary>Doubles the record (only while a network is deeper than any seen before on this thread).</summary>
    private static IBackwardNode?[] Grow()
    {
        var grown = new IBackwardNode?[Math.Max(64, (t_nodes?.Length ?? 0) * 2)];
        t_nodes?.CopyTo(grown, 0);
        t_nodes = grown;
        return grown;
    }

    /// <summary>Forgets what was recorded (torch frees the graph after backward).</summary>
    public static void Clear()
    {
        if (t_nodes is not null)
        {
            Array.Clear(t_nodes, 0, t_count);
        }

        t_count = 0;
    }

    /// <summary>A scope in which nothing is recorded, for inference: <c>using (Tape.NoGrad()) { ... }</c>.</summary>
    public static NoGradScope NoGrad()
    {
        t_noGradDepth++;
        return default;
    }

    internal static void ExitNoGrad() => t_noGradDepth--;

    /// <summary>
    /// Runs the recorded backward functions from the node that produced <paramref name="root"/> down to the first.
    /// The gradients of intermediate outputs are cleared first; leaf gradients accumulate as in torch.
    /// </summary>
    [HotPath]
    internal static void Run(Tensor root)
    {
        var nodes = t_nodes;
        int end = t_count - 1;
        while (end >= 0 && !ReferenceEquals(nodes![end]!.Output, root))
        {
            end--;
        }

        if (end < 0)
        {
            throw new InvalidOperationException(
                "element 0 of tensors does not require grad and does not have a grad_fn");
        }

        for (int i = 0; i < end; i++)
        {
            nodes![i]!.Output.GetOrCreateGrad().Span.Clear();
        }

        for (int i = end; i >= 0; i--)
        {
            nodes![i]!.Backward();
        }

        Clear();
    }
}

/// <summary>Ends a <see cref="Tape.NoGrad"/> scope; a struct so entering one allocates nothing.</summary>
public readonly struct NoGradScope : IDisposable
{
    public void Dispose() => Tape.ExitNoGrad();
}
