using FastLoss.Generators.Model;

namespace FastLoss.Generators.Calculus;

/// <summary>
/// Algebraic clean-up after differentiation and substitution: constant folding and the identities
/// x+0, x*1, x*0, x/1, --x, c ? a : a, a condition on constants, and conditions on a flag fixed by a variant. Only rewrites that are exact in IEEE arithmetic for finite values are
/// applied, so generated code computes what the declaration says. (x*0 is folded to 0 because it stems from
/// a constant derivative of zero, not from the formula's own arithmetic.)
/// </summary>
internal static class Simplifier
{
    public static Expr Simplify(Expr e)
    {
        switch (e)
        {
            case Unary unary:
            {
                var operand = Simplify(unary.Operand);
                if (unary.Operator == UnaryOperator.Not && operand is Constant truth)
                {
                    return new Constant(truth.Value == 0 ? 1 : 0);
                }

                if (unary.Operator == UnaryOperator.Negate)
                {
                    if (operand is Constant c)
                    {
                        return new Constant(-c.Value);
                    }

                    if (operand is Unary { Operator: UnaryOperator.Negate } inner)
                    {
                        return inner.Operand;
                    }
                }

                return unary with { Operand = operand };
            }

            case Binary binary:
                return SimplifyBinary(binary.Operator, Simplify(binary.Left), Simplify(binary.Right));

            case Call call:
            {
                var first = Simplify(call.First);
                var second = call.Second is null ? null : Simplify(call.Second);
                return call with { First = first, Second = second };
            }

            case Conditional conditional:
            {
                var whenTrue = Simplify(conditional.WhenTrue);
                var whenFalse = Simplify(conditional.WhenFalse);
                if (whenTrue.Equals(whenFalse))
                {
                    return whenTrue;
                }

                // A condition on constants (an absent operand replaced by its default) decides the branch here.
                var condition = Simplify(conditional.Condition);
                if (condition is Binary { Left: Constant left, Right: Constant right } comparison && Compare(comparison.Operator, left.Value, right.Value) is bool holds)
                {
                    return holds ? whenTrue : whenFalse;
                }

                // So does a flag (log_target) once a variant has fixed it to true (1) or false (0).
                if (condition is Constant flag)
                {
                    return flag.Value != 0 ? whenTrue : whenFalse;
                }

                return new Conditional(condition, whenTrue, whenFalse);
            }

            default:
                return e;
        }
    }

    /// <summary>Replaces a variable by an expression (an absent per-element operand by its default) and simplifies.</summary>
    public static Expr Substitute(Expr e, string name, Expr replacement) => Simplify(Replace(e, name, replacement));

    /// <summary>Replaces every occurrence of the sub-expression <paramref name="target"/> (compared by value) and simplifies.</summary>
    public static Expr ReplaceExpression(Expr e, Expr target, Expr replacement) => Simplify(ReplaceTree(e, target, replacement));

    /// <summary>
    /// Splits a constant factor off <paramref name="e"/> (c * u, u + u = 2u, -u - u = -2u, -u): the emitter folds it into
    /// the reduction's scale, so MSE's gradient is (2 / n) (x - y), finite where 2 (x - y) would overflow, as torch's.
    /// </summary>
    public static (double Factor, Expr Remainder) SplitConstantFactor(Expr e)
    {
        switch (e)
        {
            case Binary { Operator: BinaryOperator.Multiply, Left: Constant c } b:
                return (c.Value, b.Right);
            case Binary { Operator: BinaryOperator.Multiply, Right: Constant c } b:
                return (c.Value, b.Left);
            case Binary { Operator: BinaryOperator.Add } b when b.Left.Equals(b.Right):
                return (2, b.Left);
            case Binary { Operator: BinaryOperator.Subtract, Left: Unary { Operator: UnaryOperator.Negate } n } b when n.Operand.Equals(b.Right):
                return (-2, b.Right);
            case Unary { Operator: UnaryOperator.Negate } u:
            {
                var (factor, rest) = SplitConstantFactor(u.Operand);
                return (-factor, rest);
            }

            default:
                return (1, e);
        }
    }

    /// <summary>Whether <paramref name="e"/> reads the variable <paramref name="name"/>.</summary>
    public static bool Uses(Expr e, string name) => e switch
    {
        Variable v => v.Name == name,
        Unary u => Uses(u.Operand, name),
        Binary b => Uses(b.Left, name) || Uses(b.Right, name),
        Call c => Uses(c.First, name) || (c.Second is not null && Uses(c.Second, name)),
        Conditional k => Uses(k.Condition, name) || Uses(k.WhenTrue, name) || Uses(k.WhenFalse, name),
        _ => false,
    };

    private static Expr ReplaceTree(Expr e, Expr target, Expr replacement) => e.Equals(target) ? replacement : e switch
    {
        Unary u => u with { Operand = ReplaceTree(u.Operand, target, replacement) },
        Binary b => b with { Left = ReplaceTree(b.Left, target, replacement), Right = ReplaceTree(b.Right, target, replacement) },
        Call c => c with { First = ReplaceTree(c.First, target, replacement), Second = c.Second is null ? null : ReplaceTree(c.Second, target, replacement) },
        Conditional k => new Conditional(ReplaceTree(k.Condition, target, replacement), ReplaceTree(k.WhenTrue, target, replacement), ReplaceTree(k.WhenFalse, target, replacement)),
        _ => e,
    };

    private static Expr Replace(Expr e, string name, Expr replacement) => e switch
    {
        Variable v when v.Name == name => replacement,
        Unary u => u with { Operand = Replace(u.Operand, name, replacement) },
        Binary b => b with { Left = Replace(b.Left, name, replacement), Right = Replace(b.Right, name, replacement) },
        Call c => c with { First = Replace(c.First, name, replacement), Second = c.Second is null ? null : Replace(c.Second, name, replacement) },
        Conditional k => new Conditional(Replace(k.Condition, name, replacement), Replace(k.WhenTrue, name, replacement), Replace(k.WhenFalse, name, replacement)),
        _ => e,
    };

    private static Expr SimplifyBinary(BinaryOperator op, Expr a, Expr b)
    {
        if (a is Constant ca && b is Constant cb && Fold(op, ca.Value, cb.Value) is double folded)
        {
            return new Constant(folded);
        }

        switch (op)
        {
            case BinaryOperator.And when a is Constant || b is Constant:
            {
                // A fixed flag: true && c is c, false && c is false.
                var (fixedSide, other) = a is Constant ? ((Constant)a, b) : ((Constant)b, a);
                return fixedSide.Value != 0 ? other : new Constant(0);
            }

            case BinaryOperator.Or when a is Constant || b is Constant:
            {
                var (fixedSide, other) = a is Constant ? ((Constant)a, b) : ((Constant)b, a);
                return fixedSide.Value != 0 ? new Constant(1) : other;
            }

            case BinaryOperator.Add:
                if (IsZero(a))
                {
                    return b;
                }

                if (IsZero(b))
                {
                    return a;
                }

                if (b is Unary { Operator: UnaryOperator.Negate } negated)
                {
                    return SimplifyBinary(BinaryOperator.Subtract, a, negated.Operand);
                }

                break;
            case BinaryOperator.Subtract:
                if (IsZero(b))
                {
                    return a;
                }

                if (IsZero(a))
                {
                    return Simplify(new Unary(UnaryOperator.Negate, b));
                }

                break;
            case BinaryOperator.Multiply:
                if (IsZero(a) || IsZero(b))
                {
                    return new Constant(0);
                }

                if (IsOne(a))
                {
                    return b;
                }

                if (IsOne(b))
                {
                    return a;
                }

                if (IsMinusOne(a))
                {
                    return Simplify(new Unary(UnaryOperator.Negate, b));
                }

                if (IsMinusOne(b))
                {
                    return Simplify(new Unary(UnaryOperator.Negate, a));
                }

                break;
            case BinaryOperator.Divide:
                if (IsZero(a))
                {
                    return new Constant(0);
                }

                if (IsOne(b))
                {
                    return a;
                }

                break;
        }

        return new Binary(op, a, b);
    }

    private static double? Fold(BinaryOperator op, double a, double b) => op switch
    {
        BinaryOperator.Add => a + b,
        BinaryOperator.Subtract => a - b,
        BinaryOperator.Multiply => a * b,
        BinaryOperator.Divide when b != 0 => a / b,
        _ => null,
    };

    private static bool? Compare(BinaryOperator op, double a, double b) => op switch
    {
        BinaryOperator.LessThan => a < b,
        BinaryOperator.LessThanOrEqual => a <= b,
        BinaryOperator.GreaterThan => a > b,
        BinaryOperator.GreaterThanOrEqual => a >= b,
        BinaryOperator.Equal => a == b,
        BinaryOperator.NotEqual => a != b,
        _ => null,
    };

    private static bool IsZero(Expr e) => e is Constant { Value: 0 };

    private static bool IsOne(Expr e) => e is Constant { Value: 1 };

    private static bool IsMinusOne(Expr e) => e is Constant { Value: -1 };
}
