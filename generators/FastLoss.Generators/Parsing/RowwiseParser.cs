using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using FastLoss.Generators.Calculus;
using FastLoss.Generators.Diagnostics;
using FastLoss.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FastLoss.Generators.Parsing;

/// <summary>
/// Reads a [RowwiseLoss] declaration: its inputs, per-row target and scalar options; the formula, whose
/// <c>Row.Sum</c> calls become the variables <c>sum0</c>, <c>sum1</c>, ... of the row formula; and the derivatives
/// of the row formula by each sum and of each sum's term by each input.
/// </summary>
internal static class RowwiseParser
{
    private const int MaxInputs = 4;

    /// <summary>Names the generated code uses for its own locals and parameters.</summary>
    private static readonly HashSet<string> ReservedNames = new()
    {
        "target", "loss", "upstream", "reduction", "scale", "n", "i", "r", "rows", "features", "total", "acc",
        "targetGrad", "gradient", "row",
    };

    public static RowwiseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var spec = TryParse(context, diagnostics, cancellationToken);
        return new RowwiseResult(spec, new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutableArray()));
    }

    private static RowwiseSpec? TryParse(GeneratorAttributeSyntaxContext context, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var type = method.ContainingType;
        if (!DeclarationSymbols.IsStaticPartialTopLevel(type, cancellationToken))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotStaticPartial, type.Locations.FirstOrDefault() ?? syntax.Identifier.GetLocation(), type.Name));
            return null;
        }

        if (!method.IsStatic || method.ReturnType.SpecialType != SpecialType.System_Single || syntax.ExpressionBody is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAnExpressionBodiedFormula, syntax.Identifier.GetLocation(), method.Name, "a row-wise formula is an expression-bodied static float method"));
            return null;
        }

        var attribute = context.Attributes[0];
        int inputs = DeclarationSymbols.NamedArgument(attribute, "Inputs", 1);
        bool withTarget = DeclarationSymbols.NamedArgument(attribute, "WithTarget", true);
        int positional = withTarget ? inputs + 1 : inputs;
        var targetRole = (TargetRole)DeclarationSymbols.NamedArgument(attribute, "Target", 0);
        var attributeLocation = syntax.AttributeLists.FirstOrDefault()?.GetLocation() ?? syntax.Identifier.GetLocation();
        if (inputs is < 1 or > MaxInputs || method.Parameters.Length < positional)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, attributeLocation, $"Inputs = {inputs}", method.Name, $"a row-wise loss has 1 to {MaxInputs} inputs, then a target"));
            return null;
        }

        var inputNames = new List<string>();
        var scalars = new List<FormulaParameter>();
        var flags = new List<FormulaParameter>();
        string targetName = string.Empty;
        bool ok = true;
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var location = parameter.Locations.FirstOrDefault() ?? attributeLocation;
            if (i >= positional && parameter.Type.SpecialType == SpecialType.System_Boolean && parameter.HasExplicitDefaultValue && !ReservedNames.Contains(parameter.Name))
            {
                bool on = parameter.ExplicitDefaultValue is true;
                flags.Add(new FormulaParameter(parameter.Name, ParameterRole.Flag, on ? "true" : "false", on ? 1 : 0));
                continue;
            }

            bool plainFloat = parameter.Type.SpecialType == SpecialType.System_Single && parameter.RefKind == RefKind.None && parameter.GetAttributes().IsEmpty;
            if (!plainFloat || ReservedNames.Contains(parameter.Name) || parameter.Name.StartsWith("sum", System.StringComparison.Ordinal))
            {
                string reason = !plainFloat ? "a row-wise formula takes plain float inputs, a target, scalar options and flags with defaults"
                    : "the name is used by the generated code; rename the parameter";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, reason));
                ok = false;
                continue;
            }

            if (i < inputs)
            {
                inputNames.Add(parameter.Name);
            }
            else if (i == inputs && withTarget)
            {
                targetName = parameter.Name;
            }
            else if (parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is float value)
            {
                scalars.Add(new FormulaParameter(parameter.Name, ParameterRole.Scalar, value.ToString("R", CultureInfo.InvariantCulture) + "f", value));
            }
            else
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, "a scalar option needs a default value, torch's default"));
                ok = false;
            }
        }

        if (!ok)
        {
            return null;
        }

        var names = new HashSet<string>(method.Parameters.Select(p => p.Name));
        var parser = new FormulaParser(context.SemanticModel, names, diagnostics);
        var formula = parser.Parse(syntax.ExpressionBody.Expression);
        if (formula is null)
        {
            return null;
        }

        if (parser.UsesScalarOnlyFunction)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotDifferentiate, parser.FirstScalarOnlyCall!.GetLocation(), parser.FirstScalarOnlyCall.ToString(), "a row-wise formula's functions need vector forms"));
            return null;
        }

        // Each distinct Row.Sum(term) becomes a variable of the row formula.
        var terms = new List<Expr>();
        var rowFormula = ExtractSums(Simplifier.Simplify(formula), terms);
        string? misplaced = inputNames.FirstOrDefault(name => Simplifier.Uses(rowFormula, name));
        string? nested = terms.Select(t => (Expr?)t).FirstOrDefault(t => ContainsSum(t!) || (withTarget && Simplifier.Uses(t!, targetName)) || flags.Any(f => Simplifier.Uses(t!, f.Name))) is { } bad ? ExpressionWriterText(bad) : null;
        if (misplaced is not null || nested is not null || terms.Count == 0)
        {
            string reason = misplaced is not null ? $"the input '{misplaced}' is read outside Row.Sum; a row-wise formula reads its inputs through sums over the row"
                : nested is not null ? "a Row.Sum term is elementwise: no Row.Sum inside it, and no target or flag (one value per row)"
                : "a row-wise formula needs at least one Row.Sum";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotDifferentiate, syntax.ExpressionBody.Expression.GetLocation(), syntax.ExpressionBody.Expression.ToString(), reason));
            return null;
        }

        var sumDerivatives = new List<Expr>();
        var termDerivatives = new List<Expr>();
        for (int k = 0; k < terms.Count; k++)
        {
            sumDerivatives.Add(Differentiator.Derive(rowFormula, SumName(k)));
            foreach (string input in inputNames)
            {
                termDerivatives.Add(Differentiator.Derive(terms[k], input));
            }
        }

        Expr? targetDerivative = withTarget && targetRole == TargetRole.Differentiable ? Differentiator.Derive(rowFormula, targetName) : null;
        string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
        return new RowwiseSpec(
            ns,
            type.Name,
            method.Name,
            new EquatableArray<string>(inputNames.ToImmutableArray()),
            targetName,
            new EquatableArray<FormulaParameter>(scalars.ToImmutableArray()),
            rowFormula,
            new EquatableArray<Expr>(terms.ToImmutableArray()),
            new EquatableArray<Expr>(sumDerivatives.ToImmutableArray()),
            new EquatableArray<Expr>(termDerivatives.ToImmutableArray()),
            targetDerivative,
            string.Join(" ", syntax.ExpressionBody.Expression.ToString().Split('\n').Select(line => line.Trim())),
            withTarget,
            new EquatableArray<FormulaParameter>(flags.ToImmutableArray()));
    }

    /// <summary>The name of the row formula's variable for sum <paramref name="k"/>.</summary>
    public static string SumName(int k) => "sum" + k.ToString(CultureInfo.InvariantCulture);

    private static Expr ExtractSums(Expr e, List<Expr> terms) => e switch
    {
        Call { Function: Function.RowSum } sum => new Variable(SumName(IndexOf(terms, sum.First))),
        Unary u => u with { Operand = ExtractSums(u.Operand, terms) },
        Binary b => b with { Left = ExtractSums(b.Left, terms), Right = ExtractSums(b.Right, terms) },
        Call c => c with { First = ExtractSums(c.First, terms), Second = c.Second is null ? null : ExtractSums(c.Second, terms) },
        Conditional k => new Conditional(ExtractSums(k.Condition, terms), ExtractSums(k.WhenTrue, terms), ExtractSums(k.WhenFalse, terms)),
        _ => e,
    };

    private static int IndexOf(List<Expr> terms, Expr term)
    {
        int index = terms.IndexOf(term);
        if (index < 0)
        {
            terms.Add(term);
            index = terms.Count - 1;
        }

        return index;
    }

    private static bool ContainsSum(Expr e) => e switch
    {
        Call { Function: Function.RowSum } => true,
        Unary u => ContainsSum(u.Operand),
        Binary b => ContainsSum(b.Left) || ContainsSum(b.Right),
        Call c => ContainsSum(c.First) || (c.Second is not null && ContainsSum(c.Second)),
        Conditional k => ContainsSum(k.Condition) || ContainsSum(k.WhenTrue) || ContainsSum(k.WhenFalse),
        _ => false,
    };

    private static string ExpressionWriterText(Expr e) => Emit.ExpressionWriter.Describe(e);
}
