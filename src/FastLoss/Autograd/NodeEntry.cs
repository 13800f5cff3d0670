namespace FastLoss.Autograd;

/// <summary>
/// A node in an array of structs: storing a node into it needs none of the type checks that storing into a
/// <c>Node[]</c> makes (array covariance), which cost a recorded node a few nanoseconds.
/// </summary>
internal struct NodeEntry
{
    public Node Node;
}
