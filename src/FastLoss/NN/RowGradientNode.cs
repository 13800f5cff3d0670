using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// One call of a loss over rows of class scores (MultiMarginLoss, MultiLabelMarginLoss): the input's gradient, written
/// with the loss; backward scales it by the upstream gradient, each row's for reduction none.
/// </summary>
internal sealed class RowGradientNode : Node
{
    private Tensor? _input;
    private int _classes;
    private float[] _gradient = [];
    private float[] _ones = [];
    private float[] _spread = [];

    public Tensor Plan(ReadOnlySpan<int> shape) => PlanOutput(shape);

    public Span<float> Gradient(int length) => ThreeInputGraph.Buffer(ref _gradient, length);

    public Span<float> Ones(int length)
    {
        Span<float> ones = ThreeInputGraph.Buffer(ref _ones, length);
        ones.Fill(1f);
        return ones;
    }

    [HotPath]
    public void Set(Tensor input, int classes)
    {
        _input = input;
        _classes = classes;
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        bool perRow = ((Loss)Owner!).Reduction == Reduction.None;
        int n = _input!.Length;
        ReadOnlySpan<float> upstream = OutputGrad;
        if (perRow)
        {
            Span<float> spread = ThreeInputGraph.Buffer(ref _spread, n);
            for (int r = 0; r < upstream.Length; r++)
            {
                spread.Slice(r * _classes, _classes).Fill(upstream[r]);
            }

            upstream = spread;
        }

        ThreeInputGraph.AddScaled(_input, _gradient.AsSpan(0, n), upstream, perRow);
    }
}
