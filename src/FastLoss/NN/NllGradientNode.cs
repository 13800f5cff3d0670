using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// The backward step of NLLLoss: the gradient is -w[y] x scale at each kept entry's target class and 0 elsewhere,
/// so it is scattered straight into the input's gradient from the targets kept by reference.
/// </summary>
internal sealed class NllGradientNode : IBackwardNode
{
    private Tensor? _output;
    private Tensor? _input;
    private IndexTensor? _target;
    private Tensor? _weight;
    private long _ignoreIndex;
    private Reduction _reduction;
    private double _denominator;
    private ClassLayout _layout;

    public Tensor Output => _output ?? throw new InvalidOperationException("The node has not been recorded.");

    public void Set(Tensor output, Tensor input, IndexTensor target, Tensor? weight, long ignoreIndex, Reduction reduction, double denominator, ClassLayout layout)
    {
        _output = output;
        _input = input;
        _target = target;
        _weight = weight;
        _ignoreIndex = ignoreIndex;
        _reduction = reduction;
        _denominator = denominator;
        _layout = layout;
    }

    [HotPath]
    public void Backward()
    {
        Tensor? upstream = _output?.Grad;
        if (upstream is null || _input is null || _target is null)
        {
            return;
        }

        var options = new NllLossOptions
        {
            Weight = _weight is null ? [] : _weight.Span,
            IgnoreIndex = _ignoreIndex,
        };
        Span<float> destination = _input.GetOrCreateGrad().Span;
        if (_reduction == Reduction.None)
        {
            NllLoss.AccumulateGradient(_layout, _target.Span, _denominator, options, Reduction.None, 1f, upstream.Span, destination);
        }
        else
        {
            NllLoss.AccumulateGradient(_layout, _target.Span, _denominator, options, _reduction, upstream.Span[0], [], destination);
        }
    }
}
