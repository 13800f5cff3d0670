namespace FastLoss.Generation;

/// <summary>
/// Declares a loss over the class dimension of a <see cref="FastLoss.Functional.ClassLayout"/> by its row kernels.
/// Put it on a <c>static partial class</c>; the source generator emits, per accepted target kind, the public span
/// API (Forward, ForwardNone, Backward, BackwardNone, ForwardBackward, ForwardBackwardNone) with every argument check,
/// the scan of class-index targets (bounds, ignore index, the weighted mean's denominator), the reduction, the
/// empty-class case, the dispatch over the class layout and the vector width, and internal <c>Run</c> entry points
/// for the modules.
/// <para>
/// The row kernels are hand-written, named after the target kind (<c>IndexTargets</c>, <c>ProbabilityTargets</c>)
/// and return the sum of the entries' losses. A kernel of <see cref="StridedKernels"/> takes
/// <c>(ReadOnlySpan&lt;float&gt; input, ClassLayout layout, targets, scoped ref TPass pass)</c> and serves every
/// layout unless <see cref="ContiguousKernels"/> is given, whose kernels take
/// <c>(ReadOnlySpan&lt;float&gt; input, int batch, int classes, targets, scoped ref TPass pass)</c> and serve the
/// rows of inner size 1. A kernel generic over <c>&lt;TL, TV&gt;</c> (<c>TL : struct, IFloatLanes&lt;TV&gt;</c>) is
/// instantiated at the widest vector that fits the vectorized extent (the class count of a contiguous row, the inner
/// size of a strided one); a non-generic kernel is called as it is.
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class ClassLossAttribute : Attribute
{
    /// <param name="input">The input's name: the generated parameters (<c>logits</c>, <c>logitsGrad</c>) and error messages ("The logits ...").</param>
    /// <param name="options">
    /// The options type, taken by value with <c>default</c> as its default; it must have <c>ReadOnlySpan&lt;float&gt; Weight</c>
    /// and <c>long IgnoreIndex</c>, which the scan of class-index targets reads.
    /// </param>
    public ClassLossAttribute(string input, Type options)
    {
        Input = input;
        Options = options;
    }

    public string Input { get; }

    public Type Options { get; }

    /// <summary>The target kinds the loss accepts.</summary>
    public ClassTargetKinds Targets { get; set; } = ClassTargetKinds.Indices;

    /// <summary>The static class of the kernels that serve rows whose classes are contiguous (inner size 1), or null.</summary>
    public Type? ContiguousKernels { get; set; }

    /// <summary>The static class of the kernels that serve (N, C, d1, ..., dk) layouts (every layout without <see cref="ContiguousKernels"/>).</summary>
    public Type? StridedKernels { get; set; }

    /// <summary>
    /// A method of the declaring class, <c>static void (TOptions options, int classes, bool probabilityTargets)</c>, that
    /// checks the options against the class count; it runs first, after the reduction check.
    /// </summary>
    public string? CheckOptions { get; set; }

    /// <summary>
    /// A method of the declaring class, <c>static TPass (ClassLayout layout, TOptions options, float gradientScale,
    /// Span&lt;float&gt; entryLosses, Span&lt;float&gt; gradient, ReadOnlySpan&lt;float&gt; entryUpstream)</c>, that builds
    /// what one pass of the kernels reads and writes besides input and targets. Empty spans are not wanted.
    /// </summary>
    public string? NewPass { get; set; }

    /// <summary>
    /// False when the gradient does not depend on the input's values (NLL): Backward and BackwardNone take no input,
    /// and the strided kernel class also has <c>IndexTargetsGradient(ClassLayout layout, targets, scoped ref TPass pass)</c>
    /// (and so on per kind), which ADDS the gradient into the pass's; the loss kernels then only compute losses.
    /// True (the default): the loss kernels write the gradient (=) in the same pass when the pass asks for it.
    /// </summary>
    public bool BackwardReadsInput { get; set; } = true;
}
