namespace FastLoss.Tests.TestSupport;

/// <summary>
/// L = sum_i r_i * y_i for fixed weights r, written with the tensor arithmetic users write: its gradient with respect
/// to y is r, so a layer's backward sees a known, non-uniform upstream gradient. The weights' tensor is made once
/// per shape, so a call allocates nothing after the first.
/// </summary>
internal sealed class WeightedSumLoss(float[] weights)
{
    private Tensor? _weights;

    public Tensor Forward(Tensor input)
    {
        if (_weights is null || !_weights.SameShape(input))
        {
            _weights = Tensor.FromValues(weights, input.Shape.ToArray());
        }

        return (input * _weights).Sum();
    }
}
