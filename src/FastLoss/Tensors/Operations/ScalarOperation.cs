namespace FastLoss.Tensors.Operations;

/// <summary>The elementwise operations of a tensor with a float.</summary>
internal enum ScalarOperation
{
    /// <summary>x + s (and x - s, as x + (-s): the same bits).</summary>
    Add,

    /// <summary>x * s (and s * x).</summary>
    Multiply,

    /// <summary>x / s.</summary>
    Divide,

    /// <summary>s - x (and -x, with s = 0).</summary>
    SubtractFrom,

    /// <summary>s / x.</summary>
    DivideInto,

    /// <summary>max(x, s), NaN kept: torch's clamp_min, whose gradient passes where x >= s.</summary>
    ClampMin,
}
