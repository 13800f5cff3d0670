using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FastLoss.Generators.Diagnostics;

/// <summary>
/// FL4001: a method marked [HotPath] must not allocate. Reported per allocating operation, except inside a
/// throw (error paths may build their messages).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HotPathAllocationAnalyzer : DiagnosticAnalyzer
{
    private const string HotPathAttribute = "FastLoss.Generation.HotPathAttribute";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(DiagnosticDescriptors.HotPathAllocation);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var attribute = start.Compilation.GetTypeByMetadataName(HotPathAttribute);
            if (attribute is null)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext => Analyze(operationContext, attribute),
                OperationKind.ObjectCreation,
                OperationKind.ArrayCreation,
                OperationKind.AnonymousFunction,
                OperationKind.DelegateCreation,
                OperationKind.Invocation,
                OperationKind.Conversion,
                OperationKind.InterpolatedString,
                OperationKind.Binary,
                OperationKind.AnonymousObjectCreation,
                OperationKind.CollectionExpression);
        });
    }

    private static void Analyze(OperationAnalysisContext context, INamedTypeSymbol attribute)
    {
        if (!IsHotPath(context.ContainingSymbol, attribute)
            || IsInsideThrow(context.Operation)
            || context.Operation.Syntax.FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax>() is not null)
        {
            return;
        }

        string? what = context.Operation switch
        {
            IObjectCreationOperation creation when creation.Type is { IsReferenceType: true } => $"new {creation.Type.Name}",
            IArrayCreationOperation => "an array creation",
            IAnonymousFunctionOperation => "a lambda or anonymous method",
            IDelegateCreationOperation => "a delegate creation",
            IAnonymousObjectCreationOperation => "an anonymous object",
            ICollectionExpressionOperation collection when collection.Type is { IsReferenceType: true } => "a collection expression",
            IInvocationOperation invocation when invocation.TargetMethod.ContainingType.ToDisplayString() == "System.Linq.Enumerable" => $"LINQ ({invocation.TargetMethod.Name})",
            IConversionOperation conversion when conversion.Operand.Type is { IsValueType: true } && conversion.Type is { IsReferenceType: true } => $"boxing of {conversion.Operand.Type?.Name}",
            IInterpolatedStringOperation => "string interpolation",
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String } => "string concatenation",
            _ => null,
        };

        if (what is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HotPathAllocation, context.Operation.Syntax.GetLocation(), context.ContainingSymbol.Name, what));
        }
    }

    private static bool IsHotPath(ISymbol symbol, INamedTypeSymbol attribute)
    {
        // Code in a local function or lambda belongs to the method that contains it.
        for (ISymbol? current = symbol; current is not null; current = current.ContainingSymbol)
        {
            foreach (var data in current.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
                {
                    return true;
                }
            }

            if (current is IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet } accessor
                && accessor.AssociatedSymbol is not null)
            {
                foreach (var data in accessor.AssociatedSymbol.GetAttributes())
                {
                    if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
                    {
                        return true;
                    }
                }
            }

            if (current is not IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction })
            {
                break;
            }
        }

        return false;
    }

    private static bool IsInsideThrow(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IThrowOperation)
            {
                return true;
            }
        }

        return false;
    }
}
