using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FastLoss.Generators.Diagnostics;
using FastLoss.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FastLoss.Generators.Parsing;

/// <summary>
/// Reads one [ClassLoss] declaration into a <see cref="ClassLossSpec"/>. The kernels are typed: the row interfaces a
/// kernel type implements (IIndexTargetRows, IProbabilityTargetRows, IIndexTargetGradientRows) say which target
/// kinds the loss accepts and whether its backward reads the input, and the pass type's IClassLossPass gives the
/// options type. The compiler checks the signatures; this checks what it cannot: that the declaration is one the
/// generated code can call.
/// </summary>
internal static class ClassLossParser
{
    private const string Generation = "FastLoss.Generation.";
    private const string LanesInterface = Generation + "IFloatLanes`1";
    private const string IndexRows = Generation + "IIndexTargetRows`1";
    private const string ProbabilityRows = Generation + "IProbabilityTargetRows`1";
    private const string GradientRows = Generation + "IIndexTargetGradientRows`1";
    private const string PassInterface = Generation + "IClassLossPass`2";

    /// <summary>Namespaces every generated file imports, besides those of the kernel, pass and options types.</summary>
    internal static readonly ImmutableArray<string> ImportedNamespaces = ImmutableArray.Create(
        "FastLoss", "FastLoss.Functional", "FastLoss.Generation");

    /// <summary>Names the generated members use; the input may not take them.</summary>
    private static readonly HashSet<string> ReservedNames = new()
    {
        "layout", "targets", "options", "reduction", "upstream", "loss", "denominator", "entryLosses", "gradient",
        "entryUpstream", "pass", "total", "gradientScale",
    };

    public static ClassLossResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var spec = TryParse(context, diagnostics, cancellationToken);
        return new ClassLossResult(spec, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutableArray()));
    }

    private static ClassLossSpec? TryParse(GeneratorAttributeSyntaxContext context, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var attribute = context.Attributes[0];
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var attributeLocation = attributeSyntax?.GetLocation() ?? type.Locations[0];

        if (!DeclarationSymbols.IsStaticPartialTopLevel(type, cancellationToken))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossNotStaticPartial, type.Locations[0], type.Name));
            return null;
        }

        if (attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not string input
            || attribute.ConstructorArguments[1].Value is not INamedTypeSymbol kernels)
        {
            // The attribute does not bind (a compiler error is reported already).
            return null;
        }

        if (!SyntaxFacts.IsValidIdentifier(input) || SyntaxFacts.GetKeywordKind(input) != SyntaxKind.None || ReservedNames.Contains(input))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadDeclaration, attributeLocation, type.Name, $"the input name \"{input}\" must be a C# identifier that the generated code does not use itself"));
            return null;
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
        var compilation = context.SemanticModel.Compilation;
        var contiguous = DeclarationSymbols.NamedArgument<INamedTypeSymbol?>(attribute, "ContiguousKernels", null);
        var stridedAt = PositionalLocation(attributeSyntax, 1) ?? attributeLocation;
        var contiguousAt = ArgumentLocation(attributeSyntax, "ContiguousKernels") ?? attributeLocation;

        var strided = KernelType.Read(kernels, type, compilation, stridedAt, diagnostics);
        if (strided is null)
        {
            return null;
        }

        if (strided.Index is null && strided.Probability is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossMissingKernel, stridedAt, strided.Name, type.Name, "implements neither IIndexTargetRows<TPass> nor IProbabilityTargetRows<TPass>, so it serves no target kind"));
            return null;
        }

        if (!CheckGradient(strided, type, stridedAt, diagnostics))
        {
            return null;
        }

        var pass = strided.Pass!;
        var options = OptionsOf(pass, compilation);
        if (options is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadPass, stridedAt, pass.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), type.Name));
            return null;
        }

        KernelType? contiguousKernels = null;
        if (contiguous is not null)
        {
            contiguousKernels = KernelType.Read(contiguous, type, compilation, contiguousAt, diagnostics);
            if (contiguousKernels is null || !CheckContiguous(contiguousKernels, strided, type, contiguousAt, diagnostics))
            {
                return null;
            }
        }

        // The generated file imports the namespaces of the types it calls, so it names them as a reader would.
        var imports = new SortedSet<string>(ImportedNamespaces, System.StringComparer.Ordinal);
        if (ns.Length > 0)
        {
            imports.Add(ns);
        }

        foreach (var called in new ITypeSymbol?[] { strided.Definition, contiguousKernels?.Definition, pass, options })
        {
            if (called is { ContainingType: null, ContainingNamespace.IsGlobalNamespace: false })
            {
                imports.Add(called.ContainingNamespace.ToDisplayString());
            }
        }

        var targets = new List<TargetKernels>();
        if (strided.Index is not null)
        {
            targets.Add(new TargetKernels(
                ClassTargetKind.Indices,
                contiguousKernels?.Kernel(imports, "IndexTargets"),
                strided.Kernel(imports, "IndexTargets"),
                strided.Gradient is null ? null : strided.Kernel(imports, "IndexTargetsGradient")));
        }

        if (strided.Probability is not null)
        {
            targets.Add(new TargetKernels(
                ClassTargetKind.Probabilities,
                contiguousKernels?.Kernel(imports, "ProbabilityTargets"),
                strided.Kernel(imports, "ProbabilityTargets"),
                null));
        }

        return new ClassLossSpec(
            ns,
            type.Name,
            input,
            TypeName(options, imports),
            TypeName(pass, imports),
            BackwardReadsInput: strided.Gradient is null,
            new EquatableArray<TargetKernels>(targets.ToImmutableArray()),
            new EquatableArray<string>(imports.Where(i => i != ns).ToImmutableArray()));
    }

    /// <summary>A gradient kernel (the gradient does not read the input) goes with class-index rows alone.</summary>
    private static bool CheckGradient(KernelType kernels, INamedTypeSymbol type, Location location, List<DiagnosticInfo> diagnostics)
    {
        string? problem = kernels.Gradient is null ? null
            : kernels.Index is null ? "implements IIndexTargetGradientRows<TPass> without IIndexTargetRows<TPass>: the gradient kernel needs the loss kernel of the same targets"
            : kernels.Probability is not null ? "implements IIndexTargetGradientRows<TPass> (a gradient that does not read the input) beside IProbabilityTargetRows<TPass>; such a loss takes class-index targets only"
            : null;
        if (problem is null)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadGradient, location, kernels.Name, type.Name, problem));
        return false;
    }

    /// <summary>The contiguous kernels serve the same target kinds with the same pass; a gradient kernel belongs to Kernels.</summary>
    private static bool CheckContiguous(KernelType contiguous, KernelType strided, INamedTypeSymbol type, Location location, List<DiagnosticInfo> diagnostics)
    {
        string? missing = strided.Index is not null && contiguous.Index is null ? "IIndexTargetRows"
            : strided.Probability is not null && contiguous.Probability is null ? "IProbabilityTargetRows"
            : null;
        string passName = strided.Pass!.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        if (missing is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossMissingKernel, location, contiguous.Name, type.Name, $"does not implement {missing}<{passName}>, which the Kernels type {strided.Name} serves"));
            return false;
        }

        if (!SymbolEqualityComparer.Default.Equals(contiguous.Pass, strided.Pass))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadKernel, location, contiguous.Name, type.Name, $"takes the pass {contiguous.Pass!.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} where the Kernels type {strided.Name} takes {passName}; one pass serves both"));
            return false;
        }

        if (contiguous.Gradient is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadGradient, location, contiguous.Name, type.Name, "implements IIndexTargetGradientRows<TPass>; the gradient that does not read the input serves every layout, so it belongs to the Kernels type"));
            return false;
        }

        return true;
    }

    /// <summary>TOptions of the pass's IClassLossPass&lt;TOptions, TPass&gt;, or null when the pass does not implement it for itself.</summary>
    private static ITypeSymbol? OptionsOf(ITypeSymbol pass, Compilation compilation)
    {
        var passInterface = compilation.GetTypeByMetadataName(PassInterface);
        foreach (var implemented in pass.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, passInterface)
                && SymbolEqualityComparer.Default.Equals(implemented.TypeArguments[1], pass))
            {
                return implemented.TypeArguments[0];
            }
        }

        return null;
    }

    /// <summary>A kernel type named by the declaration: its form, the row interfaces it implements and their pass.</summary>
    private sealed class KernelType
    {
        private KernelType(INamedTypeSymbol definition, bool vectorized)
        {
            Definition = definition;
            Vectorized = vectorized;
            Name = definition.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        }

        public INamedTypeSymbol Definition { get; }

        public bool Vectorized { get; }

        public string Name { get; }

        public ITypeSymbol? Pass { get; private set; }

        public INamedTypeSymbol? Index { get; private set; }

        public INamedTypeSymbol? Probability { get; private set; }

        public INamedTypeSymbol? Gradient { get; private set; }

        public RowKernel Kernel(ISet<string> imports, string method) => new(TypeName(Definition, imports, withTypeArguments: !Vectorized), method, Vectorized);

        /// <summary>The kernel type, or null (reported) when the generated code cannot call it.</summary>
        public static KernelType? Read(INamedTypeSymbol type, INamedTypeSymbol loss, Compilation compilation, Location location, List<DiagnosticInfo> diagnostics)
        {
            bool vectorized = type.IsUnboundGenericType;
            var definition = vectorized ? type.OriginalDefinition : type;
            var kernel = new KernelType(definition, vectorized);
            string? problem = definition.IsStatic ? "is a static class, which cannot implement the row interfaces; make it a readonly struct"
                : !compilation.IsSymbolAccessibleWithin(definition, loss) ? $"is not accessible from {loss.Name}"
                : vectorized && !IsLanesGeneric(definition, compilation) ? "is an open generic type, so it must be generic over exactly <TL, TV> with TL : struct, IFloatLanes<TV> and TV : struct (the generated code picks the vector width)"
                : kernel.ReadInterfaces(compilation);
            if (problem is null)
            {
                return kernel;
            }

            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadKernel, location, kernel.Name, loss.Name, problem));
            return null;
        }

        /// <summary>Finds the row interfaces; returns why they do not fit together, or null.</summary>
        private string? ReadInterfaces(Compilation compilation)
        {
            var index = compilation.GetTypeByMetadataName(IndexRows);
            var probability = compilation.GetTypeByMetadataName(ProbabilityRows);
            var gradient = compilation.GetTypeByMetadataName(GradientRows);
            foreach (var implemented in Definition.AllInterfaces)
            {
                var original = implemented.OriginalDefinition;
                bool isIndex = SymbolEqualityComparer.Default.Equals(original, index);
                bool isProbability = SymbolEqualityComparer.Default.Equals(original, probability);
                bool isGradient = SymbolEqualityComparer.Default.Equals(original, gradient);
                if (!isIndex && !isProbability && !isGradient)
                {
                    continue;
                }

                var pass = implemented.TypeArguments[0];
                if (Pass is not null && !SymbolEqualityComparer.Default.Equals(Pass, pass))
                {
                    return $"implements {Pass.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'s and {pass.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}'s row interfaces; one pass serves all of a loss's kernels";
                }

                if (pass is ITypeParameterSymbol)
                {
                    return $"implements {implemented.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} over a type parameter; the pass must be a concrete type";
                }

                Pass = pass;
                if (isIndex)
                {
                    Index = implemented;
                }
                else if (isProbability)
                {
                    Probability = implemented;
                }
                else
                {
                    Gradient = implemented;
                }
            }

            return null;
        }

        private static bool IsLanesGeneric(INamedTypeSymbol type, Compilation compilation)
        {
            if (type.TypeParameters.Length != 2)
            {
                return false;
            }

            var lanes = compilation.GetTypeByMetadataName(LanesInterface);
            var tl = type.TypeParameters[0];
            var tv = type.TypeParameters[1];
            return lanes is not null
                && tl.HasValueTypeConstraint
                && tv.HasValueTypeConstraint
                && tl.ConstraintTypes.Any(c => SymbolEqualityComparer.Default.Equals(c, lanes.Construct(tv)));
        }
    }

    /// <summary>A type as the generated file writes it: the short name when the file imports its namespace, else global::-qualified.</summary>
    private static string TypeName(ITypeSymbol type, ISet<string> imports, bool withTypeArguments = true)
    {
        if (type is INamedTypeSymbol named && (!named.IsGenericType || !withTypeArguments))
        {
            string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
            bool imported = type.ContainingType is null && imports.Contains(ns);
            string outer = type.ContainingType is null
                ? (ns.Length == 0 ? "global::" : $"global::{ns}.")
                : TypeName(type.ContainingType, imports) + ".";
            return imported ? type.Name : outer + type.Name;
        }

        return type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
    }

    private static Location? ArgumentLocation(AttributeSyntax? attribute, string name)
    {
        if (attribute?.ArgumentList is null || name.Length == 0)
        {
            return null;
        }

        foreach (var argument in attribute.ArgumentList.Arguments)
        {
            if (argument.NameEquals?.Name.Identifier.ValueText == name)
            {
                return argument.GetLocation();
            }
        }

        return null;
    }

    private static Location? PositionalLocation(AttributeSyntax? attribute, int index)
    {
        var arguments = attribute?.ArgumentList?.Arguments;
        return arguments is { } list && list.Count > index && list[index].NameEquals is null ? list[index].GetLocation() : null;
    }
}
