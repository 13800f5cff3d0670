using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.Tensors.Operations;

/// <summary>
/// One call of <c>a + b</c>, <c>a - b</c>, <c>a * b</c> or <c>a / b</c>: tensors of one shape, or one of them holding a
/// single element (a 0-dim tensor, say), which broadcasts over the other. A broadcast operand's gradient is the sum
/// of the broadcast gradient, as in torch.
/// </summary>
internal sealed class BinaryNode : Node
{
    /// <summary>The plan keys of the four operations (a call site's owner).</summary>
    private static readonly object[] Owners = [new(), new(), new(), new()];

    private BinaryOperation _operation;
    private Tensor? _a, _b;
    private float[] _scratch = [];

    /// <summary>Runs one operation, recording its node when gradients are wanted.</summary>
    [HotPath]
    public static Tensor Run(BinaryOperation operation, Tensor a, Tensor b)
    {
        ReadOnlySpan<int> shape = ResultShape(a, b);
        Span<int> key = stackalloc int[a.Rank + b.Rank + 1];
        a.Shape.CopyTo(key);
        key[a.Rank] = -1;
        b.Shape.CopyTo(key[(a.Rank + 1)..]);

        GraphArena arena = GraphArena.Current;
        BinaryNode node = arena.Claim<BinaryNode>(Owners[(int)operation], key);
        Tensor output = node.PlanOutput(shape);
        Compute(operation, a.Data, b.Data, output.Data);
        if (arena.WantsGraph(a, b))
        {
            node._operation = operation;
            node._a = a;
            node._b = b;
            arena.Record(node, a, b);
        }

        return output;
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        Tensor a = _a!, b = _b!;
        ReadOnlySpan<float> dy = OutputGrad;
        GradientTarget aGrad = GradientTarget.For(a);
        if (!aGrad.IsEmpty)
        {
            // d(a op b)/da: 1, 1, b, 1/b.
            switch (_operation)
            {
                case BinaryOperation.Add or BinaryOperation.Subtract:
                    Deliver(dy, aGrad, negate: false);
                    break;
                case BinaryOperation.Multiply:
                    Deliver(Product(dy, b.Data, divide: false), aGrad, negate: false);
                    break;
                default:
                    Deliver(Product(dy, b.Data, divide: true), aGrad, negate: false);
                    break;
            }
        }

        GradientTarget bGrad = GradientTarget.For(b);
        if (!bGrad.IsEmpty)
        {
            // d(a op b)/db: 1, -1, a, -a/b^2.
            switch (_operation)
            {
                case BinaryOperation.Add:
                    Deliver(dy, bGrad, negate: false);
                    break;
                case BinaryOperation.Subtract:
                    Deliver(dy, bGrad, negate: true);
                    break;
                case BinaryOperation.Multiply:
                    Deliver(Product(dy, a.Data, divide: false), bGrad, negate: false);
                    break;
                default:
                    Deliver(QuotientGradient(dy, a.Data, b.Data), bGrad, negate: true);
                    break;
            }
        }
    }

    /// <summary>The result's shape: the operands' shared shape, or the shape of the one that is not a single element.</summary>
    private static ReadOnlySpan<int> ResultShape(Tensor a, Tensor b)
    {
        if (a.SameShape(b))
        {
            return a.Shape;
        }

        if (b.Length == 1 && b.Rank <= a.Rank)
        {
            return a.Shape;
        }

        if (a.Length == 1 && a.Rank <= b.Rank)
        {
            return b.Shape;
        }

        Broadcasting.RequireBroadcastable(b.Rank <= a.Rank ? b.Shape : a.Shape, b.Rank <= a.Rank ? a.Shape : b.Shape);
        throw new ArgumentException(
            $"Tensor arithmetic broadcasts a tensor of one element only; got shapes {a.ShapeText} and {b.ShapeText}. Expand the operand to the other's shape first.");
    }

    [HotPath]
    private static void Compute(BinaryOperation operation, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        if (a.Length == b.Length)
        {
            switch (operation)
            {
                case BinaryOperation.Add: TensorPrimitives.Add(a, b, y); break;
                case BinaryOperation.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                case BinaryOperation.Multiply: TensorPrimitives.Multiply(a, b, y); break;
                default: TensorPrimitives.Divide(a, b, y); break;
            }
        }
        else if (b.Length == 1)
        {
            switch (operation)
            {
                case BinaryOperation.Add: TensorPrimitives.Add(a, b[0], y); break;
                case BinaryOperation.Subtract: TensorPrimitives.Subtract(a, b[0], y); break;
                case BinaryOperation.Multiply: TensorPrimitives.Multiply(a, b[0], y); break;
                default: TensorPrimitives.Divide(a, b[0], y); break;
            }
        }
        else
        {
            switch (operation)
            {
                case BinaryOperation.Add: TensorPrimitives.Add(b, a[0], y); break;
                case BinaryOperation.Subtract: TensorPrimitives.Subtract(a[0], b, y); break;
                case BinaryOperation.Multiply: TensorPrimitives.Multiply(b, a[0], y); break;
                default: TensorPrimitives.Divide(a[0], b, y); break;
            }
        }
    }

    /// <summary>dy * other (or dy / other), with a one-element operand broadcast.</summary>
    private Span<float> Product(ReadOnlySpan<float> dy, ReadOnlySpan<float> other, bool divide)
    {
        Span<float> product = Scratch(dy.Length);
        if (other.Length == 1)
        {
            if (divide)
            {
                TensorPrimitives.Divide(dy, other[0], product);
            }
            else
            {
                TensorPrimitives.Multiply(dy, other[0], product);
            }
        }
        else if (divide)
        {
            TensorPrimitives.Divide(dy, other, product);
        }
        else
        {
            TensorPrimitives.Multiply(dy, other, product);
        }

        return product;
    }

    /// <summary>dy * a / b^2 (negated by the caller), with either operand broadcast.</summary>
    private Span<float> QuotientGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Span<float> result = Scratch(dy.Length);
        for (int i = 0; i < result.Length; i++)
        {
            float bi = b.Length == 1 ? b[0] : b[i];
            float ai = a.Length == 1 ? a[0] : a[i];
            result[i] = dy[i] * (ai / bi / bi);
        }

        return result;
    }

    /// <summary>Adds (or writes) <paramref name="gradient"/> into the target; a one-element target gets the sum.</summary>
    private static void Deliver(ReadOnlySpan<float> gradient, GradientTarget target, bool negate)
    {
        Span<float> destination = target.Span;
        if (destination.Length == 1 && gradient.Length != 1)
        {
            float sum = TensorPrimitives.Sum(gradient);
            sum = negate ? -sum : sum;
            destination[0] = target.Accumulate ? destination[0] + sum : sum;
            return;
        }

        if (negate)
        {
            if (target.Accumulate)
            {
                TensorPrimitives.Subtract(destination, gradient, destination);
            }
            else
            {
                TensorPrimitives.Negate(gradient, destination);
            }
        }
        else if (target.Accumulate)
        {
            TensorPrimitives.Add(destination, gradient, destination);
        }
        else
        {
            gradient.CopyTo(destination);
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
