using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FastLoss.Generators.Parsing;

/// <summary>What both declaration parsers read off the symbols: the declaring class's shape and the attribute's named arguments.</summary>
internal static class DeclarationSymbols
{
    /// <summary>Whether <paramref name="type"/> is a top-level static class with a partial declaration (so generated members can join it).</summary>
    public static bool IsStaticPartialTopLevel(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (!type.IsStatic || type.ContainingType is not null)
        {
            return false;
        }

        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax declaration
                && declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The named argument <paramref name="name"/> of <paramref name="attribute"/>, or <paramref name="fallback"/> when it is not set.</summary>
    public static T NamedArgument<T>(AttributeData attribute, string name, T fallback)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is T value)
            {
                return value;
            }
        }

        return fallback;
    }
}
