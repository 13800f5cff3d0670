using FastLoss.Autograd;
using FastLoss.Tensors.Operations;

namespace FastLoss;

/// <summary>
/// Differentiable tensor arithmetic, so losses and terms combine as in torch (<c>loss = ce + 0.1f * mse</c>): each
/// operation records its own graph node when an operand requires grad. Operands have one shape, or one of them
/// holds a single element (a 0-dim tensor, such as a loss), which broadcasts over the other.
/// </summary>
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);

    public static Tensor operator -(Tensor a, Tensor b) => Subtract(a, b);

    public static Tensor operator *(Tensor a, Tensor b) => Multiply(a, b);

    public static Tensor operator /(Tensor a, Tensor b) => Divide(a, b);

    public static Tensor operator +(Tensor a, float s) => Add(a, s);

    public static Tensor operator +(float s, Tensor a) => Add(a, s);

    public static Tensor operator -(Tensor a, float s) => Add(a, -s);

    public static Tensor operator -(float s, Tensor a) => Scalar(ScalarOperation.SubtractFrom, a, s);

    public static Tensor operator *(Tensor a, float s) => Multiply(a, s);

    public static Tensor operator *(float s, Tensor a) => Multiply(a, s);

    public static Tensor operator /(Tensor a, float s) => Divide(a, s);

    public static Tensor operator /(float s, Tensor a) => Scalar(ScalarOperation.DivideInto, a, s);

    public static Tensor operator -(Tensor a) => Negate(a);

    /// <summary>a + b, elementwise (torch.add).</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOperation.Add, a, b);

    /// <summary>a - b, elementwise (torch.sub).</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => Binary(BinaryOperation.Subtract, a, b);

    /// <summary>a * b, elementwise (torch.mul).</summary>
    public static Tensor Multiply(Tensor a, Tensor b) => Binary(BinaryOperation.Multiply, a, b);

    /// <summary>a / b, elementwise (torch.div).</summary>
    public static Tensor Divide(Tensor a, Tensor b) => Binary(BinaryOperation.Divide, a, b);

    /// <summary>a + s, elementwise.</summary>
    public static Tensor Add(Tensor a, float s) => Scalar(ScalarOperation.Add, a, s);

    /// <summary>a * s, elementwise.</summary>
    public static Tensor Multiply(Tensor a, float s) => Scalar(ScalarOperation.Multiply, a, s);

    /// <summary>a / s, elementwise.</summary>
    public static Tensor Divide(Tensor a, float s) => Scalar(ScalarOperation.Divide, a, s);

    /// <summary>-a, elementwise.</summary>
    public static Tensor Negate(Tensor a) => Scalar(ScalarOperation.SubtractFrom, a, 0f);

    /// <summary>torch's clamp_min(x, min): max(x, min) elementwise, NaN kept; the gradient passes where x >= min.</summary>
    public Tensor ClampMin(float min) => Scalar(ScalarOperation.ClampMin, this, min);

    /// <summary>The sum of every element, a 0-dim tensor (torch's <c>sum()</c>).</summary>
    public Tensor Sum()
    {
        using var call = OperationCall.Begin();
        return call.Return(ReductionNode.Run(this, mean: false));
    }

    /// <summary>The mean of every element, a 0-dim tensor (torch's <c>mean()</c>; NaN for no elements).</summary>
    public Tensor Mean()
    {
        using var call = OperationCall.Begin();
        return call.Return(ReductionNode.Run(this, mean: true));
    }

    /// <summary>
    /// A view with another shape over the same elements; one dimension may be -1 (inferred), as in torch. The
    /// view is recorded (gradients flow back through it) and, as any operation's result, lives in the arena.
    /// </summary>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] dims = TensorShape.Resolve(shape, Length);
        using var call = OperationCall.Begin();
        GraphArena arena = call.Arena;
        Span<int> key = stackalloc int[Rank + dims.Length + 1];
        Shape.CopyTo(key);
        key[Rank] = -1;
        dims.CopyTo(key[(Rank + 1)..]);
        ViewNode node = arena.Claim<ViewNode>(ReshapeOwner, key);
        Tensor view = node.Bind(this, dims);
        if (arena.WantsGraph(this))
        {
            arena.Record(node, this);
        }

        return call.Return(view);
    }

    /// <summary>A tensor sharing these elements that does not require grad and records nothing (torch's detach()).</summary>
    public Tensor Detach() => new(_storage, _offset, (int[])_shape.Clone()) { Producer = Producer };

    private static readonly object ReshapeOwner = new();

    private static Tensor Binary(BinaryOperation operation, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        using var call = OperationCall.Begin();
        return call.Return(BinaryNode.Run(operation, a, b));
    }

    private static Tensor Scalar(ScalarOperation operation, Tensor a, float s)
    {
        ArgumentNullException.ThrowIfNull(a);
        using var call = OperationCall.Begin();
        return call.Return(ScalarNode.Run(operation, a, s));
    }
}
