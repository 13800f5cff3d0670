using FastLoss.Autograd;

namespace FastLoss.Tests.TestSupport;

/// <summary>
/// L = sum_i r_i * y_i for fixed weights r: its gradient with respect to y is r, so a layer's backward sees a
/// known, non-uniform upstream gradient. Owns its output and node like a real loss, so it allocates nothing per call.
/// </summary>
internal sealed class WeightedSumLoss : IBackwardNode
{
    private readonly float[] _weights;
    private readonly Tensor _loss = Tensor.Zeros();
    private Tensor? _input;

    public WeightedSumLoss(float[] weights) => _weights = weights;

    public Tensor Output => _loss;

    public Tensor Forward(Tensor input)
    {
        double sum = 0;
        ReadOnlySpan<float> y = input.Span;
        for (int i = 0; i < y.Length; i++)
        {
            sum += (double)_weights[i] * y[i];
        }

        _loss.Span[0] = (float)sum;
        _input = input;
        _loss.RequiresGrad = input.RequiresGrad;
        if (Tape.IsRecording && input.RequiresGrad)
        {
            Tape.Record(this);
        }

        return _loss;
    }

    public void Backward()
    {
        float upstream = _loss.Grad!.Span[0];
        Span<float> grad = _input!.GetOrCreateGrad().Span;
        for (int i = 0; i < grad.Length; i++)
        {
            grad[i] += upstream * _weights[i];
        }
    }
}
