using FastLoss.Generators.Emit;
using FastLoss.Generators.Model;
using FastLoss.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace FastLoss.Generators;

/// <summary>
/// Turns each [ElementwiseLoss] / [ElementwiseActivation] / [RowwiseLoss] formula into vectorized forward and backward kernels.
/// Pipeline: attribute lookup -> equatable <see cref="DeclarationResult"/> (parse, check, differentiate) -> emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ElementwiseGenerator : IIncrementalGenerator
{
    public const string LossAttribute = "FastLoss.Generation.ElementwiseLossAttribute";
    public const string ActivationAttribute = "FastLoss.Generation.ElementwiseActivationAttribute";
    public const string RowwiseAttribute = "FastLoss.Generation.RowwiseLossAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var losses = context.SyntaxProvider.ForAttributeWithMetadataName(
            LossAttribute,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
            static (ctx, ct) => DeclarationParser.Parse(ctx, ElementwiseKind.Loss, ct))
            .WithTrackingName(TrackingNames.Losses);

        var activations = context.SyntaxProvider.ForAttributeWithMetadataName(
            ActivationAttribute,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
            static (ctx, ct) => DeclarationParser.Parse(ctx, ElementwiseKind.Activation, ct))
            .WithTrackingName(TrackingNames.Activations);

        var rowwise = context.SyntaxProvider.ForAttributeWithMetadataName(
            RowwiseAttribute,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
            static (ctx, ct) => RowwiseParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.RowwiseLosses);

        context.RegisterSourceOutput(losses, static (spc, result) => Execute(spc, result));
        context.RegisterSourceOutput(rowwise, static (spc, result) => ExecuteRowwise(spc, result));
        context.RegisterSourceOutput(activations, static (spc, result) => Execute(spc, result));
    }

    private static void ExecuteRowwise(SourceProductionContext context, RowwiseResult result)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Spec is { } spec)
        {
            string hint = (spec.Namespace.Length > 0 ? spec.Namespace + "." : string.Empty) + spec.ClassName + ".g.cs";
            context.AddSource(hint, RowwiseLossEmitter.Emit(spec));
        }
    }

    private static void Execute(SourceProductionContext context, DeclarationResult result)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Spec is not { } spec)
        {
            return;
        }

        string source = spec.Kind == ElementwiseKind.Activation ? ElementwiseActivationEmitter.Emit(spec)
            : spec.InputDerivatives.Count > 1 ? MultiInputLossEmitter.Emit(spec)
            : ElementwiseLossEmitter.Emit(spec);
        string hint = (spec.Namespace.Length > 0 ? spec.Namespace + "." : string.Empty) + spec.ClassName + ".g.cs";
        context.AddSource(hint, source);
    }
}

/// <summary>Names of pipeline steps, so tests can assert that unrelated edits leave them cached.</summary>
public static class TrackingNames
{
    public const string Losses = nameof(Losses);
    public const string Activations = nameof(Activations);
    public const string ClassLosses = nameof(ClassLosses);
    public const string RowwiseLosses = nameof(RowwiseLosses);
}
