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
/// Reads one [ClassLoss] declaration into a <see cref="ClassLossSpec"/>: checks the declaring class, the input name,
/// the options type, the two hooks and, per accepted target kind, the row kernels (found by name in the kernel
/// classes) against the signatures the generated code calls.
/// </summary>
internal static class ClassLossParser
{
    private const string LanesInterface = "FastLoss.Functional.Classification.IFloatLanes`1";
    private const string LayoutType = "FastLoss.Functional.ClassLayout";

    /// <summary>Namespaces the generated file imports: types there are written by their short name.</summary>
    internal static readonly ImmutableArray<string> ImportedNamespaces = ImmutableArray.Create(
        "FastLoss", "FastLoss.Functional", "FastLoss.Functional.Classification", "FastLoss.Generation");

    /// <summary>Names the generated members use; the input may not take them.</summary>
    private static readonly HashSet<string> ReservedNames = new()
    {
        "layout", "targets", "options", "reduction", "upstream", "loss", "denominator", "entryLosses", "gradient",
        "entryUpstream", "pass", "total",
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
        Location At(string argument) => ArgumentLocation(attributeSyntax, argument) ?? attributeLocation;

        if (!DeclarationSymbols.IsStaticPartialTopLevel(type, cancellationToken))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossNotStaticPartial, type.Locations[0], type.Name));
            return null;
        }

        if (attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not string input
            || attribute.ConstructorArguments[1].Value is not INamedTypeSymbol options)
        {
            // The attribute does not bind (a compiler error is reported already).
            return null;
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
        var compilation = context.SemanticModel.Compilation;
        int targets = DeclarationSymbols.NamedArgument<int>(attribute, "Targets", 1);
        var contiguous = DeclarationSymbols.NamedArgument<INamedTypeSymbol?>(attribute, "ContiguousKernels", null);
        var strided = DeclarationSymbols.NamedArgument<INamedTypeSymbol?>(attribute, "StridedKernels", null);
        string? checkOptions = DeclarationSymbols.NamedArgument<string?>(attribute, "CheckOptions", null);
        string? newPass = DeclarationSymbols.NamedArgument<string?>(attribute, "NewPass", null);
        bool backwardReadsInput = DeclarationSymbols.NamedArgument(attribute, "BackwardReadsInput", true);

        bool ok = true;
        if (!SyntaxFacts.IsValidIdentifier(input) || SyntaxFacts.GetKeywordKind(input) != SyntaxKind.None || ReservedNames.Contains(input))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadDeclaration, attributeLocation, type.Name, $"the input name \"{input}\" must be a C# identifier that the generated code does not use itself"));
            ok = false;
        }

        if (targets is not (1 or 2 or 3))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadDeclaration, At("Targets"), type.Name, "Targets must be ClassTargetKinds.Indices, ClassTargetKinds.Probabilities or both"));
            ok = false;
        }

        ok &= CheckOptionsType(options, type, PositionalLocation(attributeSyntax, 1) ?? attributeLocation, diagnostics);
        ok &= CheckOptionsHook(type, checkOptions, options, compilation, At("CheckOptions"), diagnostics);
        var pass = PassType(type, newPass, options, compilation, At("NewPass"), diagnostics);
        if (!ok || pass is null)
        {
            return null;
        }

        var kernels = new List<TargetKernels>();
        foreach (var kind in new[] { ClassTargetKind.Indices, ClassTargetKind.Probabilities })
        {
            if ((targets & (int)kind) == 0)
            {
                continue;
            }

            var found = FindKernels(type, kind, contiguous, strided, pass, backwardReadsInput, compilation, ns, At, diagnostics);
            if (found is null)
            {
                ok = false;
                continue;
            }

            kernels.Add(found);
        }

        if (!ok)
        {
            return null;
        }

        return new ClassLossSpec(
            ns,
            type.Name,
            input,
            TypeName(options, ns),
            TypeName(pass, ns),
            checkOptions!,
            newPass!,
            backwardReadsInput,
            new EquatableArray<TargetKernels>(kernels.ToImmutableArray()));
    }

    private static bool CheckOptionsType(INamedTypeSymbol options, INamedTypeSymbol type, Location location, List<DiagnosticInfo> diagnostics)
    {
        var weight = MemberType(options, "Weight");
        var ignoreIndex = MemberType(options, "IgnoreIndex");
        string? problem = weight is null ? "has no Weight"
            : !IsSpanOfFloat(weight, "System.ReadOnlySpan<T>") ? $"has Weight of type {weight.ToDisplayString()}"
            : ignoreIndex is null ? "has no IgnoreIndex"
            : ignoreIndex.SpecialType != SpecialType.System_Int64 ? $"has IgnoreIndex of type {ignoreIndex.ToDisplayString()}"
            : null;
        if (problem is null)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadOptions, location, options.ToDisplayString(), type.Name, problem));
        return false;
    }

    private static bool CheckOptionsHook(INamedTypeSymbol type, string? name, INamedTypeSymbol options, Compilation compilation, Location location, List<DiagnosticInfo> diagnostics)
    {
        string expected = $"static void {name ?? "CheckOptions"}({options.Name} options, int classes, bool probabilityTargets)";
        if (name is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadHook, location, "CheckOptions", "(none)", type.Name, expected, "set CheckOptions = nameof(...) on the attribute"));
            return false;
        }

        var candidates = type.GetMembers(name).OfType<IMethodSymbol>().ToList();
        bool matches(IMethodSymbol m) => m.IsStatic && m.ReturnsVoid && !m.IsGenericMethod
            && ParametersAre(m, options, compilation.GetSpecialType(SpecialType.System_Int32), compilation.GetSpecialType(SpecialType.System_Boolean));
        if (candidates.Any(matches))
        {
            return true;
        }

        string found = candidates.Count == 0 ? $"{type.Name} has no method of that name" : $"found {candidates[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}";
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadHook, candidates.FirstOrDefault()?.Locations.FirstOrDefault() ?? location, "CheckOptions", name, type.Name, expected, found));
        return false;
    }

    /// <summary>The type the pass hook returns, or null (reported) when the hook is missing or does not match.</summary>
    private static ITypeSymbol? PassType(INamedTypeSymbol type, string? name, INamedTypeSymbol options, Compilation compilation, Location location, List<DiagnosticInfo> diagnostics)
    {
        string expected = $"static TPass {name ?? "NewPass"}(ClassLayout layout, {options.Name} options, float gradientScale, Span<float> entryLosses, Span<float> gradient, ReadOnlySpan<float> entryUpstream)";
        if (name is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadHook, location, "NewPass", "(none)", type.Name, expected, "set NewPass = nameof(...) on the attribute"));
            return null;
        }

        var span = compilation.GetTypeByMetadataName("System.Span`1")?.Construct(compilation.GetSpecialType(SpecialType.System_Single));
        var readOnlySpan = FloatReadOnlySpan(compilation);
        var candidates = type.GetMembers(name).OfType<IMethodSymbol>().ToList();
        foreach (var candidate in candidates)
        {
            if (candidate.IsStatic && !candidate.ReturnsVoid && !candidate.IsGenericMethod
                && ParametersAre(candidate, compilation.GetTypeByMetadataName(LayoutType), options, compilation.GetSpecialType(SpecialType.System_Single), span, span, readOnlySpan))
            {
                return candidate.ReturnType;
            }
        }

        string found = candidates.Count == 0 ? $"{type.Name} has no method of that name" : $"found {candidates[0].ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}";
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadHook, candidates.FirstOrDefault()?.Locations.FirstOrDefault() ?? location, "NewPass", name, type.Name, expected, found));
        return null;
    }

    private static TargetKernels? FindKernels(
        INamedTypeSymbol type,
        ClassTargetKind kind,
        INamedTypeSymbol? contiguous,
        INamedTypeSymbol? strided,
        ITypeSymbol pass,
        bool backwardReadsInput,
        Compilation compilation,
        string ns,
        System.Func<string, Location> at,
        List<DiagnosticInfo> diagnostics)
    {
        string kindText = kind == ClassTargetKind.Indices ? "class-index" : "class-probability";
        string method = kind == ClassTargetKind.Indices ? "IndexTargets" : "ProbabilityTargets";
        if (strided is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossMissingKernel, at("StridedKernels"), type.Name, kindText, "no kernel class serves them: set StridedKernels = typeof(...) (and ContiguousKernels for rows of inner size 1)"));
            return null;
        }

        var layout = compilation.GetTypeByMetadataName(LayoutType);
        var integer = compilation.GetSpecialType(SpecialType.System_Int32);
        var input = FloatReadOnlySpan(compilation);
        var targets = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1")?.Construct(
            compilation.GetSpecialType(kind == ClassTargetKind.Indices ? SpecialType.System_Int64 : SpecialType.System_Single));
        string targetText = kind == ClassTargetKind.Indices ? "ReadOnlySpan<long> targets" : "ReadOnlySpan<float> targets";

        var stridedKernel = FindKernel(type, strided, method, kindText, pass, compilation, ns, at("StridedKernels"), diagnostics, isGradient: false,
            $"static double {method}[<TL, TV>](ReadOnlySpan<float> input, ClassLayout layout, {targetText}, scoped ref {pass.Name} pass)",
            input, layout, targets);
        RowKernel? contiguousKernel = null;
        if (contiguous is not null)
        {
            contiguousKernel = FindKernel(type, contiguous, method, kindText, pass, compilation, ns, at("ContiguousKernels"), diagnostics, isGradient: false,
                $"static double {method}[<TL, TV>](ReadOnlySpan<float> input, int batch, int classes, {targetText}, scoped ref {pass.Name} pass)",
                input, integer, integer, targets);
        }

        RowKernel? gradientKernel = null;
        if (!backwardReadsInput)
        {
            gradientKernel = FindKernel(type, strided, method + "Gradient", kindText, pass, compilation, ns, at("StridedKernels"), diagnostics, isGradient: true,
                $"static void {method}Gradient(ClassLayout layout, {targetText}, scoped ref {pass.Name} pass), which adds the gradient (BackwardReadsInput = false)",
                layout, targets);
        }

        if (stridedKernel is null || (contiguous is not null && contiguousKernel is null) || (!backwardReadsInput && gradientKernel is null))
        {
            return null;
        }

        return new TargetKernels(kind, contiguousKernel, stridedKernel, gradientKernel);
    }

    private static RowKernel? FindKernel(
        INamedTypeSymbol type,
        INamedTypeSymbol kernels,
        string method,
        string kindText,
        ITypeSymbol pass,
        Compilation compilation,
        string ns,
        Location location,
        List<DiagnosticInfo> diagnostics,
        bool isGradient,
        string expected,
        params ITypeSymbol?[] leading)
    {
        var candidates = kernels.GetMembers(method).OfType<IMethodSymbol>().ToList();
        if (candidates.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossMissingKernel, location, type.Name, kindText, $"{kernels.Name} has no method '{method}'"));
            return null;
        }

        string? problem = null;
        foreach (var candidate in candidates)
        {
            problem = KernelProblem(candidate, type, pass, compilation, isGradient, leading);
            if (problem is null)
            {
                return new RowKernel(TypeName(kernels, ns), method, candidate.IsGenericMethod);
            }
        }

        var at = candidates[0].Locations.FirstOrDefault(l => l.IsInSource) ?? location;
        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassLossBadKernel, at, $"{kernels.Name}.{method}", type.Name, expected, problem!));
        return null;
    }

    /// <summary>Why a kernel does not fit the call the generated code makes, or null when it does.</summary>
    private static string? KernelProblem(IMethodSymbol kernel, INamedTypeSymbol type, ITypeSymbol pass, Compilation compilation, bool isGradient, ITypeSymbol?[] leading)
    {
        if (!kernel.IsStatic)
        {
            return "it is not static";
        }

        if (!compilation.IsSymbolAccessibleWithin(kernel, type))
        {
            return $"it is not accessible from {type.Name} (make it internal)";
        }

        if (isGradient ? !kernel.ReturnsVoid : kernel.ReturnType.SpecialType != SpecialType.System_Double)
        {
            return $"it returns {kernel.ReturnType.ToDisplayString()}";
        }

        if (kernel.IsGenericMethod && (isGradient || !IsLanesGeneric(kernel, compilation)))
        {
            return isGradient
                ? "a gradient kernel is scalar (not generic)"
                : "a vectorized kernel is generic over exactly <TL, TV> with TL : struct, IFloatLanes<TV> and TV : struct";
        }

        var parameters = kernel.Parameters;
        if (parameters.Length != leading.Length + 1)
        {
            return $"it has {parameters.Length} parameters, not {leading.Length + 1}";
        }

        for (int i = 0; i < leading.Length; i++)
        {
            if (parameters[i].RefKind != RefKind.None || !SymbolEqualityComparer.Default.Equals(parameters[i].Type, leading[i]))
            {
                return $"parameter {i + 1} ('{parameters[i].Name}') is {parameters[i].Type.ToDisplayString()}";
            }
        }

        var last = parameters[leading.Length];
        if (last.RefKind != RefKind.Ref || !SymbolEqualityComparer.Default.Equals(last.Type, pass))
        {
            return $"the last parameter ('{last.Name}') must be 'scoped ref {pass.Name}' (what the NewPass hook returns)";
        }

        return null;
    }

    private static bool IsLanesGeneric(IMethodSymbol kernel, Compilation compilation)
    {
        if (kernel.TypeParameters.Length != 2)
        {
            return false;
        }

        var lanes = compilation.GetTypeByMetadataName(LanesInterface);
        var tl = kernel.TypeParameters[0];
        var tv = kernel.TypeParameters[1];
        return lanes is not null
            && tl.HasValueTypeConstraint
            && tv.HasValueTypeConstraint
            && tl.ConstraintTypes.Any(c => SymbolEqualityComparer.Default.Equals(c, lanes.Construct(tv)));
    }

    private static bool ParametersAre(IMethodSymbol method, params ITypeSymbol?[] types)
    {
        if (method.Parameters.Length != types.Length)
        {
            return false;
        }

        for (int i = 0; i < types.Length; i++)
        {
            if (method.Parameters[i].RefKind != RefKind.None || !SymbolEqualityComparer.Default.Equals(method.Parameters[i].Type, types[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static ITypeSymbol? FloatReadOnlySpan(Compilation compilation) =>
        compilation.GetTypeByMetadataName("System.ReadOnlySpan`1")?.Construct(compilation.GetSpecialType(SpecialType.System_Single));

    private static ITypeSymbol? MemberType(INamedTypeSymbol type, string name)
    {
        foreach (var member in type.GetMembers(name))
        {
            if (member is IPropertySymbol { IsStatic: false, GetMethod: not null } property)
            {
                return property.Type;
            }

            if (member is IFieldSymbol { IsStatic: false } field)
            {
                return field.Type;
            }
        }

        return null;
    }

    private static bool IsSpanOfFloat(ITypeSymbol type, string definition) =>
        type is INamedTypeSymbol { IsGenericType: true } named
        && named.ConstructedFrom.ToDisplayString() == definition
        && named.TypeArguments[0].SpecialType == SpecialType.System_Single;

    /// <summary>A type as the generated file writes it: the short name when the file imports its namespace, else global::-qualified.</summary>
    private static string TypeName(ITypeSymbol type, string declaringNamespace)
    {
        if (type.ContainingType is null && type is INamedTypeSymbol { IsGenericType: false })
        {
            string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
            if (ns == declaringNamespace || ImportedNamespaces.Contains(ns))
            {
                return type.Name;
            }
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
