namespace FastLoss.Generators.Model;

/// <summary>
/// A node of a formula's expression tree. Records compare by value, so trees are equatable pipeline
/// models and structurally equal sub-expressions can be found (common-subexpression elimination).
/// </summary>
internal abstract record Expr;

/// <summary>A numeric literal (or a folded constant).</summary>
internal sealed record Constant(double Value) : Expr;

/// <summary>A formula parameter: the input, the target, a scalar option or a per-element operand.</summary>
internal sealed record Variable(string Name) : Expr;

/// <summary>Arithmetic negation, or logical not of a condition.</summary>
internal sealed record Unary(UnaryOperator Operator, Expr Operand) : Expr;

/// <summary>Arithmetic, comparison or logical operator applied to two operands.</summary>
internal sealed record Binary(BinaryOperator Operator, Expr Left, Expr Right) : Expr;

/// <summary>A known function of one or two arguments (<see cref="Second"/> is null for one).</summary>
internal sealed record Call(Function Function, Expr First, Expr? Second) : Expr;

/// <summary><c>condition ? whenTrue : whenFalse</c>, elementwise (a select in vector code).</summary>
internal sealed record Conditional(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr;

internal enum UnaryOperator
{
    Negate,
    Not,
}

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
}

/// <summary>The functions formulas may call; each has a derivative rule and (but Tanh) a vector form. XLogY is torch's xlogy, ClampMin torch's clamp_min.</summary>
internal enum Function
{
    Abs,
    Exp,
    Log,
    Log1P,
    Sqrt,
    Max,
    Min,
    Sign,
    Sigmoid,
    Tanh,
    XLogY,
    ClampMin,
    ClampMinNoGrad,
    NormFromSquares,
    Minimum,
    AbsPow,
    RootOf,
    RowSum,
}
