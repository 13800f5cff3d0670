using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FastLoss.Generators.Model;

/// <summary>
/// A diagnostic kept as plain values (a Location holds a syntax tree, which would defeat incremental caching).
/// </summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    string FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan,
    EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        var lineSpan = location.GetLineSpan();
        return new DiagnosticInfo(
            descriptor,
            location.SourceTree?.FilePath ?? string.Empty,
            location.SourceSpan,
            lineSpan.Span,
            new EquatableArray<string>(System.Collections.Immutable.ImmutableArray.Create(arguments)));
    }

    public Diagnostic ToDiagnostic()
    {
        var location = Location.Create(FilePath, Span, LineSpan);
        object[] arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i];
        }

        return Diagnostic.Create(Descriptor, location, arguments);
    }
}
