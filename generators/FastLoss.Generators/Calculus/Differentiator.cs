using System;
using FastLoss.Generators.Model;

namespace FastLoss.Generators.Calculus;

/// <summary>
/// Symbolic derivative with respect to one variable. The rules at kinks reproduce torch's subgradients:
/// d|u| = sign(u) with 0 at 0 (L1, SmoothL1 with beta 0), max/min pass the gradient to the strictly
/// larger/smaller argument and to the second at a tie (ReLU = max(x, 0) has gradient 0 at 0), clamp_min to its
/// argument at the boundary too (the hinge losses), xlogy follows torch's derivatives.yaml, and the
/// derivative of <c>c ? a : b</c> is <c>c ? a' : b'</c> (SmoothL1 and Huber branches).
/// </summary>
internal static class Differentiator
{
    public static Expr Derive(Expr expression, string variable) => Simplifier.Simplify(D(expression, variable));

    private static Expr D(Expr e, string v) => e switch
    {
        Constant => Zero,
        Variable variable => variable.Name == v ? One : Zero,
        Unary { Operator: UnaryOperator.Negate } unary => Neg(D(unary.Operand, v)),
        Binary binary => DBinary(binary, v),
        Call call => DCall(call, v),
        Conditional conditional => new Conditional(conditional.Condition, D(conditional.WhenTrue, v), D(conditional.WhenFalse, v)),
        _ => throw new InvalidOperationException($"No derivative rule for {e}"),
    };

    private static Expr DBinary(Binary b, string v)
    {
        Expr da = D(b.Left, v);
        Expr db = D(b.Right, v);
        return b.Operator switch
        {
            BinaryOperator.Add => Add(da, db),
            BinaryOperator.Subtract => Sub(da, db),
            BinaryOperator.Multiply => Add(Mul(da, b.Right), Mul(b.Left, db)),
            // (a/b)' = a'/b - a b' / b^2, written so a constant denominator stays a plain division.
            BinaryOperator.Divide => Sub(Div(da, b.Right), Div(Mul(b.Left, db), Mul(b.Right, b.Right))),
            _ => throw new InvalidOperationException($"A condition ({b.Operator}) is not a differentiable value"),
        };
    }

    private static Expr DCall(Call c, string v)
    {
        Expr u = c.First;
        Expr du = D(u, v);
        switch (c.Function)
        {
            case Function.Abs:
                return Mul(new Call(Function.Sign, u, null), du);
            case Function.Exp:
                return Mul(c, du);
            case Function.Log:
                return Div(du, u);
            case Function.Log1P:
                return Div(du, Add(One, u));
            case Function.Sqrt:
                return Div(du, Mul(new Constant(2), c));
            case Function.NormFromSquares:
                // torch's norm backward: x / norm, masked to 0 where the norm is 0.
                return Mul(new Conditional(new Binary(BinaryOperator.GreaterThan, u, Zero), Div(One, Mul(new Constant(2), c)), Zero), du);
            case Function.Sign:
                return Zero;
            case Function.Sigmoid:
                return Mul(Mul(c, Sub(One, c)), du);
            case Function.Tanh:
                return Mul(Sub(One, Mul(c, c)), du);
            case Function.Max:
                return new Conditional(new Binary(BinaryOperator.GreaterThan, u, c.Second!), du, D(c.Second!, v));
            case Function.Min:
                return new Conditional(new Binary(BinaryOperator.LessThan, u, c.Second!), du, D(c.Second!, v));
            case Function.ClampMin:
            {
                // torch's clamp_min passes the gradient to u where u >= min, the boundary included (max would not), as
                // a 0/1 mask that multiplies the rest of the chain: a masked-out infinite du gives NaN, as torch's does.
                Expr passes = new Binary(BinaryOperator.GreaterThanOrEqual, u, c.Second!);
                return Add(Mul(new Conditional(passes, One, Zero), du), Mul(new Conditional(passes, Zero, One), D(c.Second!, v)));
            }
            case Function.Minimum:
            {
                // torch's minimum backward: each side gets the gradient unless it is the larger, half of it at a tie
                // (so both get all of it where a NaN makes every comparison false).
                Expr b = c.Second!;
                Expr half = new Constant(0.5);
                Expr toFirst = new Conditional(new Binary(BinaryOperator.GreaterThan, u, b), Zero, new Conditional(new Binary(BinaryOperator.Equal, u, b), half, One));
                Expr toSecond = new Conditional(new Binary(BinaryOperator.LessThan, u, b), Zero, new Conditional(new Binary(BinaryOperator.Equal, u, b), half, One));
                return Add(Mul(toFirst, du), Mul(toSecond, D(b, v)));
            }
            case Function.AbsPow:
            {
                // d|u|^p = p sign(u) |u|^(p - 1) du, masked to 0 where u is 0 as torch's norm backward is; an exponent
                // that varies adds |u|^p log|u| dp.
                Expr p = c.Second!;
                Expr slope = new Conditional(
                    new Binary(BinaryOperator.Equal, u, Zero),
                    Zero,
                    Mul(Mul(p, new Call(Function.Sign, u, null)), new Call(Function.AbsPow, u, Sub(p, One))));
                return WithExponent(Mul(slope, du), Mul(c, new Call(Function.Log, new Call(Function.Abs, u, null), null)), D(p, v));
            }
            case Function.RootOf:
            {
                // d u^(1/p) = u^(1/p) / (p u) du, 0 where u is 0 (torch's norm backward where the norm is 0); an
                // exponent that varies adds -u^(1/p) log(u) / p^2 dp.
                Expr p = c.Second!;
                Expr slope = new Conditional(new Binary(BinaryOperator.GreaterThan, u, Zero), Div(c, Mul(p, u)), Zero);
                return WithExponent(Mul(slope, du), Neg(Div(Mul(c, new Call(Function.Log, u, null)), Mul(p, p))), D(p, v));
            }
            case Function.ClampMinNoGrad:
                // torch's clamp_ under no_grad on a clone (gaussian_nll_loss' var): the value is clamped, the gradient
                // flows as though it were not.
                return du;
            case Function.XLogY:
            {
                // torch's rules: d/da = xlogy(a != 0, b) (0 where a is 0, NaN where b is), d/db = a / b.
                Expr b = c.Second!;
                Expr indicator = new Conditional(new Binary(BinaryOperator.NotEqual, u, Zero), One, Zero);
                return Add(Mul(new Call(Function.XLogY, indicator, b), du), Mul(Div(u, b), D(b, v)));
            }
            default:
                throw new InvalidOperationException($"No derivative rule for {c.Function}");
        }
    }

    /// <summary>The derivative through the base, plus the exponent's term when the exponent is not constant.</summary>
    private static Expr WithExponent(Expr throughBase, Expr perExponent, Expr exponentDerivative) =>
        exponentDerivative is Constant { Value: 0 } ? throughBase : Add(throughBase, Mul(perExponent, exponentDerivative));

    private static readonly Expr Zero = new Constant(0);
    private static readonly Expr One = new Constant(1);

    private static Expr Neg(Expr a) => new Unary(UnaryOperator.Negate, a);

    private static Expr Add(Expr a, Expr b) => new Binary(BinaryOperator.Add, a, b);

    private static Expr Sub(Expr a, Expr b) => new Binary(BinaryOperator.Subtract, a, b);

    private static Expr Mul(Expr a, Expr b) => new Binary(BinaryOperator.Multiply, a, b);

    private static Expr Div(Expr a, Expr b) => new Binary(BinaryOperator.Divide, a, b);
}
