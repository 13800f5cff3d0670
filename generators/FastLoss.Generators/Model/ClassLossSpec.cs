namespace FastLoss.Generators.Model;

/// <summary>A target kind of a class loss, as the generated API sees it.</summary>
internal enum ClassTargetKind
{
    /// <summary>Class indices: <c>ReadOnlySpan&lt;long&gt;</c>, one per entry, scanned before the pass.</summary>
    Indices = 1,

    /// <summary>Class probabilities: <c>ReadOnlySpan&lt;float&gt;</c> laid out like the input.</summary>
    Probabilities = 2,
}

/// <summary>One hand-written kernel the generated code calls.</summary>
/// <param name="Type">The kernel type as C# source, without type arguments (short when its namespace is imported, else global::-qualified).</param>
/// <param name="Method">The interface method's name.</param>
/// <param name="Vectorized">An open generic over &lt;TL, TV&gt;: the generated code instantiates it at the vector width.</param>
internal sealed record RowKernel(string Type, string Method, bool Vectorized);

/// <summary>The kernels of one target kind.</summary>
/// <param name="Kind">The target kind.</param>
/// <param name="Contiguous">The kernel of rows of inner size 1, or null when <paramref name="Strided"/> serves them too.</param>
/// <param name="Strided">The kernel of (N, C, d1..dk) layouts (the declaration's Kernels).</param>
/// <param name="Gradient">The kernel that adds the gradient without reading the input, or null when the loss kernels write it.</param>
internal sealed record TargetKernels(ClassTargetKind Kind, RowKernel? Contiguous, RowKernel Strided, RowKernel? Gradient);

/// <summary>Everything the emitter needs to write one class loss: equatable, free of symbols and syntax.</summary>
/// <param name="Namespace">The declaring class's namespace, or empty for the global namespace.</param>
/// <param name="ClassName">The declaring static partial class.</param>
/// <param name="Input">The input's name (<c>logits</c>, <c>input</c>).</param>
/// <param name="OptionsType">The options type as C# source.</param>
/// <param name="PassType">The pass type the kernels take (it implements IClassLossPass), as C# source.</param>
/// <param name="BackwardReadsInput">False: Backward takes no input and a gradient kernel adds the gradient.</param>
/// <param name="Targets">The accepted target kinds and their kernels, indices first.</param>
/// <param name="Imports">The namespaces the generated file imports (besides its own), in order.</param>
internal sealed record ClassLossSpec(
    string Namespace,
    string ClassName,
    string Input,
    string OptionsType,
    string PassType,
    bool BackwardReadsInput,
    EquatableArray<TargetKernels> Targets,
    EquatableArray<string> Imports);
