using FastLoss.Generators.Emit;
using FastLoss.Generators.Model;
using FastLoss.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace FastLoss.Generators;

/// <summary>
/// Turns each [ClassLoss] declaration (a loss over the class dimension, given by its hand-written row kernels) into
/// its public span API: argument checks, target scan, reductions and the dispatch over layout and vector width.
/// Pipeline: attribute lookup -> equatable <see cref="ClassLossResult"/> (check the declaration, find the kernels) -> emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ClassLossGenerator : IIncrementalGenerator
{
    public const string Attribute = "FastLoss.Generation.ClassLossAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var losses = context.SyntaxProvider.ForAttributeWithMetadataName(
            Attribute,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
            static (ctx, ct) => ClassLossParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.ClassLosses);

        context.RegisterSourceOutput(losses, static (spc, result) => Execute(spc, result));
    }

    private static void Execute(SourceProductionContext context, ClassLossResult result)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (result.Spec is not { } spec)
        {
            return;
        }

        string hint = (spec.Namespace.Length > 0 ? spec.Namespace + "." : string.Empty) + spec.ClassName + ".g.cs";
        context.AddSource(hint, ClassLossEmitter.Emit(spec));
    }
}
