using System.Collections.Generic;
using System.Globalization;
using FastLoss.Generators.Diagnostics;
using FastLoss.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FastLoss.Generators.Parsing;

/// <summary>
/// Translates the C# expression of a formula into an <see cref="Expr"/> tree. Every construct outside the
/// formula language is reported at its own location (FL1003) rather than failing at run time.
/// </summary>
internal sealed class FormulaParser
{
    private readonly SemanticModel _model;
    private readonly HashSet<string> _parameters;
    private readonly List<DiagnosticInfo> _diagnostics;

    public FormulaParser(SemanticModel model, HashSet<string> parameters, List<DiagnosticInfo> diagnostics)
    {
        _model = model;
        _parameters = parameters;
        _diagnostics = diagnostics;
    }

    /// <summary>Whether a function without a vector form (Tanh) was met.</summary>
    public bool UsesScalarOnlyFunction { get; private set; }

    /// <summary>The first scalar-only call met, for the FL2001 message.</summary>
    public SyntaxNode? FirstScalarOnlyCall { get; private set; }

    /// <summary>The first Row.Sum met (a row-wise declaration's reduction), or null.</summary>
    public SyntaxNode? FirstRowSum { get; private set; }

    /// <summary>Parses <paramref name="syntax"/>; returns null after reporting when any part is unsupported.</summary>
    public Expr? Parse(ExpressionSyntax syntax)
    {
        switch (syntax)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Parse(parenthesized.Expression);

            case CastExpressionSyntax cast when IsFloatingType(cast.Type):
                return Parse(cast.Expression);

            case CheckedExpressionSyntax:
                return Unsupported(syntax, "checked arithmetic has no meaning for float formulas");

            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.NumericLiteralExpression):
                return new Constant(System.Convert.ToDouble(literal.Token.Value, CultureInfo.InvariantCulture));

            case IdentifierNameSyntax identifier when _parameters.Contains(identifier.Identifier.ValueText):
                return new Variable(identifier.Identifier.ValueText);

            case IdentifierNameSyntax identifier when _model.GetSymbolInfo(identifier).Symbol is IFieldSymbol { IsConst: true, ConstantValue: not null } constant:
                return new Constant(System.Convert.ToDouble(constant.ConstantValue, CultureInfo.InvariantCulture));

            case IdentifierNameSyntax identifier:
                return Unsupported(syntax, $"'{identifier.Identifier.ValueText}' is not a parameter of the formula");

            case MemberAccessExpressionSyntax member:
                return ParseConstantMember(member);

            case PrefixUnaryExpressionSyntax prefix:
                return ParsePrefix(prefix);

            case BinaryExpressionSyntax binary:
                return ParseBinary(binary);

            case ConditionalExpressionSyntax conditional:
            {
                var condition = Parse(conditional.Condition);
                var whenTrue = Parse(conditional.WhenTrue);
                var whenFalse = Parse(conditional.WhenFalse);
                return condition is null || whenTrue is null || whenFalse is null
                    ? null
                    : new Conditional(condition, whenTrue, whenFalse);
            }

            case InvocationExpressionSyntax invocation:
                return ParseCall(invocation);

            default:
                return Unsupported(syntax, $"{Describe(syntax)} is not part of the formula language");
        }
    }

    private Expr? ParsePrefix(PrefixUnaryExpressionSyntax prefix)
    {
        var operand = Parse(prefix.Operand);
        if (operand is null)
        {
            return null;
        }

        return prefix.Kind() switch
        {
            SyntaxKind.UnaryMinusExpression => new Unary(UnaryOperator.Negate, operand),
            SyntaxKind.UnaryPlusExpression => operand,
            SyntaxKind.LogicalNotExpression => new Unary(UnaryOperator.Not, operand),
            _ => Unsupported(prefix, $"the operator '{prefix.OperatorToken.Text}' has no derivative rule"),
        };
    }

    private Expr? ParseBinary(BinaryExpressionSyntax binary)
    {
        BinaryOperator? op = binary.Kind() switch
        {
            SyntaxKind.AddExpression => BinaryOperator.Add,
            SyntaxKind.SubtractExpression => BinaryOperator.Subtract,
            SyntaxKind.MultiplyExpression => BinaryOperator.Multiply,
            SyntaxKind.DivideExpression => BinaryOperator.Divide,
            SyntaxKind.LessThanExpression => BinaryOperator.LessThan,
            SyntaxKind.LessThanOrEqualExpression => BinaryOperator.LessThanOrEqual,
            SyntaxKind.GreaterThanExpression => BinaryOperator.GreaterThan,
            SyntaxKind.GreaterThanOrEqualExpression => BinaryOperator.GreaterThanOrEqual,
            SyntaxKind.EqualsExpression => BinaryOperator.Equal,
            SyntaxKind.NotEqualsExpression => BinaryOperator.NotEqual,
            SyntaxKind.LogicalAndExpression => BinaryOperator.And,
            SyntaxKind.LogicalOrExpression => BinaryOperator.Or,
            _ => null,
        };

        if (op is null)
        {
            return Unsupported(binary, $"the operator '{binary.OperatorToken.Text}' has no derivative rule");
        }

        var left = Parse(binary.Left);
        var right = Parse(binary.Right);
        return left is null || right is null ? null : new Binary(op.Value, left, right);
    }

    private Expr? ParseConstantMember(MemberAccessExpressionSyntax member)
    {
        if (_model.GetSymbolInfo(member).Symbol is IFieldSymbol { IsConst: true } field && field.ConstantValue is not null)
        {
            return new Constant(System.Convert.ToDouble(field.ConstantValue, CultureInfo.InvariantCulture));
        }

        return Unsupported(member, $"'{member}' is not a parameter, literal or constant");
    }

    private Expr? ParseCall(InvocationExpressionSyntax invocation)
    {
        var method = _model.GetSymbolInfo(invocation).Symbol as IMethodSymbol;
        var function = method is null ? null : KnownFunction(method);
        if (function is null)
        {
            string name = method is null ? invocation.Expression.ToString() : $"{method.ContainingType.Name}.{method.Name}";
            return Unsupported(invocation, $"'{name}' has no derivative rule");
        }

        var arguments = invocation.ArgumentList.Arguments;
        int arity = function is Function.Max or Function.Min or Function.Minimum or Function.AbsPow or Function.RootOf or Function.XLogY or Function.ClampMin or Function.ClampMinNoGrad ? 2 : 1;
        if (arguments.Count != arity)
        {
            return Unsupported(invocation, $"'{method!.Name}' takes {arity} argument(s) in a formula");
        }

        var first = Parse(arguments[0].Expression);
        var second = arity == 2 ? Parse(arguments[1].Expression) : null;
        if (first is null || (arity == 2 && second is null))
        {
            return null;
        }

        if (function == Function.RowSum)
        {
            FirstRowSum ??= invocation;
        }

        if (function == Function.Tanh && !UsesScalarOnlyFunction)
        {
            UsesScalarOnlyFunction = true;
            FirstScalarOnlyCall = invocation;
        }

        return new Call(function.Value, first, second);
    }

    /// <summary>The formula language's function table: MathF (and Math) plus FastLoss's ElementMath.</summary>
    private static Function? KnownFunction(IMethodSymbol method)
    {
        string type = method.ContainingType.ToDisplayString();
        if (type is "System.MathF" or "System.Math")
        {
            return method.Name switch
            {
                "Abs" => Function.Abs,
                "Exp" => Function.Exp,
                "Log" when method.Parameters.Length == 1 => Function.Log,
                "Sqrt" => Function.Sqrt,
                "Max" => Function.Max,
                "Min" => Function.Min,
                "Tanh" => Function.Tanh,
                _ => null,
            };
        }

        if (type == "FastLoss.Generation.Row" && method.Name == "Sum")
        {
            return Function.RowSum;
        }

        if (type == "FastLoss.Generation.ElementMath")
        {
            return method.Name switch
            {
                "Log1P" => Function.Log1P,
                "Sign" => Function.Sign,
                "Sigmoid" => Function.Sigmoid,
                "XLogY" => Function.XLogY,
                "ClampMin" => Function.ClampMin,
                "ClampMinNoGrad" => Function.ClampMinNoGrad,
                "NormFromSquares" => Function.NormFromSquares,
                "Minimum" => Function.Minimum,
                "AbsPow" => Function.AbsPow,
                "RootOf" => Function.RootOf,
                _ => null,
            };
        }

        return null;
    }

    private static bool IsFloatingType(TypeSyntax type) =>
        type is PredefinedTypeSyntax predefined
        && (predefined.Keyword.IsKind(SyntaxKind.FloatKeyword) || predefined.Keyword.IsKind(SyntaxKind.DoubleKeyword));

    private static string Describe(SyntaxNode node) => node.Kind() switch
    {
        SyntaxKind.SimpleAssignmentExpression => "an assignment",
        SyntaxKind.PostIncrementExpression or SyntaxKind.PreIncrementExpression => "an increment",
        SyntaxKind.ElementAccessExpression => "indexing",
        SyntaxKind.ObjectCreationExpression or SyntaxKind.ImplicitObjectCreationExpression => "an object creation",
        SyntaxKind.SimpleLambdaExpression or SyntaxKind.ParenthesizedLambdaExpression => "a lambda",
        SyntaxKind.SwitchExpression => "a switch expression",
        _ => $"'{node}'",
    };

    private Expr? Unsupported(SyntaxNode node, string reason)
    {
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotDifferentiate, node.GetLocation(), node.ToString(), reason));
        return null;
    }
}
