namespace FastLoss.Autograd;

/// <summary>Where a node is in its life: handed out for a call, recorded in a graph, or freed.</summary>
internal enum NodeState
{
    /// <summary>Claimed for a call and not recorded (no gradient wanted), or never used.</summary>
    Unrecorded,

    /// <summary>Recorded in a graph that has not been backpropagated.</summary>
    Pending,

    /// <summary>Its graph was backpropagated and freed (torch's retain_graph=False).</summary>
    Freed,

    /// <summary>Its graph was released without a backward pass (see <see cref="GraphArena"/>).</summary>
    Discarded,
}
