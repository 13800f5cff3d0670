using System;
using System.Collections.Generic;
using System.Globalization;
using FastLoss.Generators.Model;

namespace FastLoss.Generators.Emit;

/// <summary>
/// Writes expression trees as C# for one <see cref="Width"/>. Sub-expressions used more than once across the
/// roots are bound to locals first (t0, t1, ...), so shared terms of a loss and its gradient are computed once.
/// </summary>
internal sealed class ExpressionWriter
{
    private readonly Width _width;
    private readonly Dictionary<Expr, string> _locals = new();

    private ExpressionWriter(Width width) => _width = width;

    /// <summary>Writes the local bindings for <paramref name="roots"/> and returns each root's expression text.</summary>
    public static string[] WriteBody(IndentedWriter writer, Width width, params Expr[] roots)
    {
        var counts = new Dictionary<Expr, int>();
        var order = new List<Expr>();
        foreach (var root in roots)
        {
            Count(root, counts, order);
        }

        var expressionWriter = new ExpressionWriter(width);
        foreach (var node in order)
        {
            if (counts[node] > 1)
            {
                string name = "t" + expressionWriter._locals.Count.ToString(CultureInfo.InvariantCulture);
                writer.Line($"var {name} = {expressionWriter.Write(node)};");
                expressionWriter._locals[node] = name;
            }
        }

        var texts = new string[roots.Length];
        for (int i = 0; i < roots.Length; i++)
        {
            texts[i] = expressionWriter.Write(roots[i]);
        }

        return texts;
    }

    /// <summary>Counts uses of each composite node; <paramref name="order"/> gets children before parents.</summary>
    private static void Count(Expr e, Dictionary<Expr, int> counts, List<Expr> order)
    {
        if (e is Constant or Variable)
        {
            return;
        }

        if (counts.TryGetValue(e, out int seen))
        {
            counts[e] = seen + 1;
            return;
        }

        switch (e)
        {
            case Unary u:
                Count(u.Operand, counts, order);
                break;
            case Binary b:
                Count(b.Left, counts, order);
                Count(b.Right, counts, order);
                break;
            case Call c:
                Count(c.First, counts, order);
                if (c.Second is not null)
                {
                    Count(c.Second, counts, order);
                }

                break;
            case Conditional k:
                Count(k.Condition, counts, order);
                Count(k.WhenTrue, counts, order);
                Count(k.WhenFalse, counts, order);
                break;
        }

        counts[e] = 1;
        order.Add(e);
    }

    private string Write(Expr e)
    {
        if (_locals.TryGetValue(e, out string? local))
        {
            return local;
        }

        return e switch
        {
            Constant c => WriteConstant(c.Value),
            Variable v => v.Name,
            Unary { Operator: UnaryOperator.Negate } u => "(-" + Write(u.Operand) + ")",
            Unary u => (_width.IsScalar ? "!" : "~") + Write(u.Operand),
            Binary b => WriteBinary(b),
            Call c => WriteCall(c),
            Conditional k => _width.IsScalar
                ? $"({Write(k.Condition)} ? {Write(k.WhenTrue)} : {Write(k.WhenFalse)})"
                : $"{_width.VectorClass}.ConditionalSelect({Write(k.Condition)}, {Write(k.WhenTrue)}, {Write(k.WhenFalse)})",
            _ => throw new InvalidOperationException($"Cannot write {e}"),
        };
    }

    private string WriteConstant(double value)
    {
        if (_width.IsScalar)
        {
            return Literal(value);
        }

        string literal = UnparenthesizedLiteral(value);

        return value switch
        {
            0 => _width.Type + ".Zero",
            1 => _width.Type + ".One",
            _ => $"{_width.VectorClass}.Create({literal})",
        };
    }

    private string WriteBinary(Binary b)
    {
        string left = Write(b.Left);
        string right = Write(b.Right);
        string? arithmetic = b.Operator switch
        {
            BinaryOperator.Add => "+",
            BinaryOperator.Subtract => "-",
            BinaryOperator.Multiply => "*",
            BinaryOperator.Divide => "/",
            _ => null,
        };
        if (arithmetic is not null)
        {
            return $"({left} {arithmetic} {right})";
        }

        if (_width.IsScalar)
        {
            string op = b.Operator switch
            {
                BinaryOperator.LessThan => "<",
                BinaryOperator.LessThanOrEqual => "<=",
                BinaryOperator.GreaterThan => ">",
                BinaryOperator.GreaterThanOrEqual => ">=",
                BinaryOperator.Equal => "==",
                BinaryOperator.NotEqual => "!=",
                BinaryOperator.And => "&&",
                _ => "||",
            };
            return $"({left} {op} {right})";
        }

        string vector = _width.VectorClass!;
        return b.Operator switch
        {
            BinaryOperator.LessThan => $"{vector}.LessThan({left}, {right})",
            BinaryOperator.LessThanOrEqual => $"{vector}.LessThanOrEqual({left}, {right})",
            BinaryOperator.GreaterThan => $"{vector}.GreaterThan({left}, {right})",
            BinaryOperator.GreaterThanOrEqual => $"{vector}.GreaterThanOrEqual({left}, {right})",
            BinaryOperator.Equal => $"{vector}.Equals({left}, {right})",
            BinaryOperator.NotEqual => $"~{vector}.Equals({left}, {right})",
            BinaryOperator.And => $"({left} & {right})",
            _ => $"({left} | {right})",
        };
    }

    private string WriteCall(Call c)
    {
        string arguments = c.Second is null ? Write(c.First) : Write(c.First) + ", " + Write(c.Second);
        if (c.Function is Function.ClampMin or Function.ClampMinNoGrad)
        {
            // clamp_min's value is max's (NaN stays NaN); only its derivative differs.
            return _width.IsScalar ? $"MathF.Max({arguments})" : $"{_width.VectorClass}.Max({arguments})";
        }

        if (c.Function is Function.Minimum)
        {
            // torch's minimum has min's value; only its derivative differs.
            return _width.IsScalar ? $"MathF.Min({arguments})" : $"{_width.VectorClass}.Min({arguments})";
        }

        if (c.Function is Function.NormFromSquares)
        {
            // The norm's value is sqrt's; only its derivative differs.
            return _width.IsScalar ? $"MathF.Sqrt({arguments})" : $"{_width.VectorClass}.Sqrt({arguments})";
        }

        string target = _width.IsScalar
            ? c.Function switch
            {
                Function.Log1P or Function.Sign or Function.Sigmoid or Function.XLogY or Function.AbsPow or Function.RootOf => "global::FastLoss.Generation.ElementMath." + c.Function,
                _ => "MathF." + c.Function,
            }
            : c.Function switch
            {
                Function.Log1P or Function.Sign or Function.Sigmoid or Function.XLogY or Function.AbsPow or Function.RootOf => "global::FastLoss.Generation.VectorMath." + c.Function,
                Function.Tanh => throw new InvalidOperationException("Tanh has no vector form; the spec is scalar-only"),
                // FastVectorMath's float32 exp and log are several times faster than the runtime's (which widen to
                // double), and give the same numbers at every width.
                Function.Exp or Function.Log => "global::FastLoss.Generation.FastVectorMath." + c.Function,
                _ => _width.VectorClass + "." + c.Function,
            };
        return $"{target}({arguments})";
    }

    /// <summary>The formula in the declaration's own notation, for comments in the generated file.</summary>
    /// <summary>A float literal for a constant, parenthesised when negative.</summary>
    public static string Literal(double value)
    {
        string literal = UnparenthesizedLiteral(value);
        return value < 0 && !double.IsInfinity(value) ? "(" + literal + ")" : literal;
    }

    /// <summary>A float literal for a constant (float.NaN and the infinities by name).</summary>
    private static string UnparenthesizedLiteral(double value)
    {
        if (double.IsNaN(value))
        {
            return "float.NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
        }

        return ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";
    }

    public static string Describe(Expr e)
    {
        var writer = new ExpressionWriter(Width.Scalar);
        return writer.Write(e).Replace("global::FastLoss.Generation.", string.Empty);
    }
}
