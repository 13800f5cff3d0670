namespace FastLoss.Generation;

/// <summary>The reductions a <see cref="RowwiseLossAttribute"/> formula may take over a row.</summary>
public static class Row
{
    /// <summary>
    /// The sum over the row of an elementwise expression of the inputs (<c>Row.Sum(x1 * x2)</c>, a dot product). It
    /// exists for the formula to compile: the generator reads it, and it is never called.
    /// </summary>
    public static float Sum(float terms) =>
        throw new InvalidOperationException($"Row.Sum({terms}) marks a sum over a row in a [RowwiseLoss] formula; the generated kernels compute it.");
}
