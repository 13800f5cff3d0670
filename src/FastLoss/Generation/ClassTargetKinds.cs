namespace FastLoss.Generation;

/// <summary>The kinds of target a <see cref="ClassLossAttribute"/> declaration accepts; each becomes a set of overloads.</summary>
[Flags]
public enum ClassTargetKinds
{
    /// <summary>Class indices, one <c>long</c> per entry (<c>ReadOnlySpan&lt;long&gt;</c>); the row kernels are named <c>IndexTargets</c>.</summary>
    Indices = 1,

    /// <summary>Class probabilities laid out like the input (<c>ReadOnlySpan&lt;float&gt;</c>); the row kernels are named <c>ProbabilityTargets</c>.</summary>
    Probabilities = 2,
}
