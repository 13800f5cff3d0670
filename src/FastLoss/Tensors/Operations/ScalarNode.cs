using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.Tensors.Operations;

/// <summary>One call of a tensor with a float: <c>x + s</c>, <c>s * x</c>, <c>x / s</c>, <c>s - x</c>, <c>s / x</c>, <c>-x</c>, <c>clamp_min(x, s)</c>.</summary>
internal sealed class ScalarNode : Node
{
    private static readonly object[] Owners = [new(), new(), new(), new(), new(), new()];

    private ScalarOperation _operation;
    private float _scalar;
    private Tensor? _input;
    private float[] _scratch = [];

    [HotPath]
    public static Tensor Run(ScalarOperation operation, Tensor x, float s)
    {
        GraphArena arena = GraphArena.Current;
        ScalarNode node = arena.Claim<ScalarNode>(Owners[(int)operation], x.Shape);
        Tensor output = node.PlanOutput(x.Shape);
        Span<float> y = output.Data;
        switch (operation)
        {
            case ScalarOperation.Add: TensorPrimitives.Add(x.Data, s, y); break;
            case ScalarOperation.Multiply: TensorPrimitives.Multiply(x.Data, s, y); break;
            case ScalarOperation.Divide: TensorPrimitives.Divide(x.Data, s, y); break;
            case ScalarOperation.SubtractFrom: TensorPrimitives.Subtract(s, x.Data, y); break;
            case ScalarOperation.ClampMin: TensorPrimitives.Max(x.Data, s, y); break;
            default: TensorPrimitives.Divide(s, x.Data, y); break;
        }

        if (arena.WantsGraph(x))
        {
            node._operation = operation;
            node._scalar = s;
            node._input = x;
            arena.Record(node, x);
        }

        return output;
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        GradientTarget target = GradientTarget.For(_input!);
        if (target.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<float> dy = OutputGrad;
        // The first gradient is written in place; a later one is computed aside and added.
        Span<float> gradient = target.Accumulate ? Scratch(dy.Length) : target.Span;
        switch (_operation)
        {
            case ScalarOperation.Add:
                dy.CopyTo(gradient);
                break;
            case ScalarOperation.Multiply:
                TensorPrimitives.Multiply(dy, _scalar, gradient);
                break;
            case ScalarOperation.Divide:
                TensorPrimitives.Divide(dy, _scalar, gradient);
                break;
            case ScalarOperation.SubtractFrom:
                TensorPrimitives.Negate(dy, gradient);
                break;
            case ScalarOperation.ClampMin:
            {
                ReadOnlySpan<float> input = _input!.Data;
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] = input[i] >= _scalar ? dy[i] : 0f;
                }

                break;
            }

            default:
                // d(s / x)/dx = -s / x^2, as torch's -grad * (s / x) / x.
                ReadOnlySpan<float> x = _input!.Data;
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] = -dy[i] * (_scalar / x[i] / x[i]);
                }

                break;
        }

        if (target.Accumulate)
        {
            TensorPrimitives.Add(target.Span, gradient, target.Span);
        }
    }

    private Span<float> Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new float[length];
        }

        return _scratch.AsSpan(0, length);
    }
}
