namespace FastLoss.Generation;

/// <summary>
/// Declares a loss over the class dimension of a <see cref="FastLoss.Functional.ClassLayout"/> by its hand-written
/// row kernels. Put it on a <c>static partial class</c>; the source generator emits, per target kind the kernels
/// serve, the public span API (Forward, ForwardNone, Backward, BackwardNone, ForwardBackward, ForwardBackwardNone)
/// with every argument check, the scan of class-index targets (bounds, ignore index, the weighted mean's
/// denominator), the reduction, the empty-class case, the dispatch over the class layout and the vector width, and
/// internal <c>Run</c> entry points for the modules.
/// <para>
/// Everything the generated code calls is typed, so the compiler checks it:
/// <list type="bullet">
/// <item>the kernel types implement <see cref="IIndexTargetRows{TPass}"/> (class-index targets) and/or
/// <see cref="IProbabilityTargetRows{TPass}"/> (class-probability targets): the target kinds the loss accepts;</item>
/// <item><see cref="Kernels"/> may also implement <see cref="IIndexTargetGradientRows{TPass}"/> when the gradient
/// does not read the input (NLL): Backward then takes no input;</item>
/// <item>the pass type <c>TPass</c> implements <see cref="IClassLossPass{TOptions, TSelf}"/>, which checks the options
/// and builds the pass; the options type implements <see cref="IClassLossOptions"/>.</item>
/// </list>
/// A kernel type may be an open generic <c>typeof(Rows&lt;,&gt;)</c> over <c>&lt;TL, TV&gt;</c>
/// (<c>TL : struct, IFloatLanes&lt;TV&gt;</c>, <c>TV : struct</c>): the generated code instantiates it at the widest
/// accelerated vector that fits the vectorized extent (the class count of a contiguous row, the inner size of a
/// strided one), down to <see cref="Lanes1"/>. A non-generic kernel type is called as it is.
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class ClassLossAttribute : Attribute
{
    /// <param name="input">The input's name: the generated parameters (<c>logits</c>, <c>logitsGrad</c>) and error messages ("The logits ...").</param>
    /// <param name="kernels">The kernel type that serves every layout (see <see cref="Kernels"/>).</param>
    public ClassLossAttribute(string input, Type kernels)
    {
        Input = input;
        Kernels = kernels;
    }

    public string Input { get; }

    /// <summary>The kernel type that serves (N, C, d1, ..., dk) layouts, and every layout without <see cref="ContiguousKernels"/>.</summary>
    public Type Kernels { get; }

    /// <summary>
    /// A kernel type for rows whose classes are contiguous (inner size 1), or null; it serves the same target kinds
    /// as <see cref="Kernels"/> with the same pass type.
    /// </summary>
    public Type? ContiguousKernels { get; set; }
}
