using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.GaussianNLLLoss(full, eps, reduction): the Gaussian negative log-likelihood of the target given a mean
/// (the input) and a variance. The variance has the input's shape, or one fewer trailing dimension, or a last
/// dimension of 1 (one variance per row, broadcast along it), as torch accepts; a negative entry is refused.
/// The input, the target and the variance all get torch's gradients.
/// </summary>
public sealed class GaussianNLLLoss : Loss
{
    public GaussianNLLLoss(bool full = false, float eps = 1e-6f, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        Full = full;
        Eps = eps;
    }

    /// <summary>Whether the constant 0.5 log(2 pi) is added.</summary>
    public bool Full { get; }

    /// <summary>The variance is clamped at eps (without a gradient of its own) before its logarithm and division.</summary>
    public float Eps { get; }

    /// <summary>The loss of <paramref name="target"/> under means <paramref name="input"/> and variances <paramref name="var"/> (torch's argument order).</summary>
    [HotPath]
    public Tensor Forward(Tensor input, Tensor target, Tensor var)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(var);
        using var call = OperationCall.Begin();
        return call.Return(Compute(call.Arena, input, target, var));
    }

    /// <summary>torch's message for <c>loss(input, target)</c> without the variance.</summary>
    protected override Tensor ForwardCore(Tensor input, Tensor target) =>
        throw new ArgumentException("forward() missing 1 required positional argument: 'var'", nameof(target));

    [HotPath]
    private Tensor Compute(GraphArena arena, Tensor input, Tensor target, Tensor var)
    {
        bool perRow = CheckShapes(input, target, var);
        GaussianNode node = arena.Claim<GaussianNode>(this, input.Shape);
        Tensor output = node.Plan(input.Shape, Reduction);
        int n = input.Length;
        ReadOnlySpan<float> variance = perRow ? node.Expand(var, n) : var.Data;
        bool record = arena.WantsGraph(input, target, var);
        if (!record)
        {
            if (Reduction == Reduction.None)
            {
                GaussianNll.ForwardNone(input.Data, variance, target.Data, output.Data, Full, Eps);
            }
            else
            {
                output.Data[0] = GaussianNll.Forward(input.Data, variance, target.Data, Reduction, Full, Eps);
            }

            return output;
        }

        // Every gradient is written with the loss: backward scales them and reads no input.
        Span<float> inputGrad = node.InputGradient(n), varGrad = node.VarGradient(n);
        if (Reduction == Reduction.None)
        {
            GaussianNll.ForwardNone(input.Data, variance, target.Data, output.Data, Full, Eps);
            GaussianNll.Backward(input.Data, variance, target.Data, inputGrad, varGrad, Reduction.Sum, 1f, Full, Eps);
        }
        else
        {
            output.Data[0] = GaussianNll.ForwardBackward(input.Data, variance, target.Data, inputGrad, varGrad, Reduction, Full, Eps);
        }

        bool targetGradient = target.RequiresGrad;
        if (targetGradient)
        {
            GaussianNll.TargetBackward(input.Data, variance, target.Data, node.TargetGradient(n), Reduction == Reduction.None ? Reduction.Sum : Reduction, 1f, Full, Eps);
        }

        node.Set(input, target, var, targetGradient, perRow);
        ThreeInputGraph.Record(arena, node, input, var, target);
        return output;
    }

    /// <summary>torch's shape rules; true when var holds one value per row (one fewer dimension, or a last dimension of 1).</summary>
    private static bool CheckShapes(Tensor input, Tensor target, Tensor var)
    {
        if (!input.SameShape(target))
        {
            throw new ArgumentException(
                $"gaussian_nll_loss: the target's shape ({target.ShapeText}) differs from the input's ({input.ShapeText}); expand the target to the input's shape",
                nameof(target));
        }

        if (var.SameShape(input))
        {
            return false;
        }

        ReadOnlySpan<int> shape = input.Shape, varShape = var.Shape;
        bool oneFewer = shape.Length >= 1 && shape[..^1].SequenceEqual(varShape);
        bool lastIsOne = shape.Length >= 1 && varShape.Length == shape.Length && varShape[^1] == 1 && shape[..^1].SequenceEqual(varShape[..^1]);
        if (!oneFewer && !lastIsOne)
        {
            throw new ArgumentException($"var is of incorrect size (input {input.ShapeText}, var {var.ShapeText})", nameof(var));
        }

        return true;
    }

    /// <summary>One call: the gradients written with the loss, the variance expanded per row, and the tensors.</summary>
    private sealed class GaussianNode : Node
    {
        private Tensor? _input, _target, _var;
        private bool _targetGradient, _perRow;
        private float[] _inputGrad = [];
        private float[] _varGrad = [];
        private float[] _targetGrad = [];
        private float[] _expanded = [];
        private float[] _rowGrad = [];

        public Tensor Plan(ReadOnlySpan<int> shape, Reduction reduction) =>
            PlanOutput(reduction == Reduction.None ? shape : []);

        public Span<float> InputGradient(int length) => ThreeInputGraph.Buffer(ref _inputGrad, length);

        public Span<float> VarGradient(int length) => ThreeInputGraph.Buffer(ref _varGrad, length);

        public Span<float> TargetGradient(int length) => ThreeInputGraph.Buffer(ref _targetGrad, length);

        /// <summary>One variance per row, repeated along the row (the input's last dimension).</summary>
        [HotPath]
        public ReadOnlySpan<float> Expand(Tensor var, int length)
        {
            Span<float> expanded = ThreeInputGraph.Buffer(ref _expanded, length);
            ReadOnlySpan<float> rows = var.Data;
            int width = rows.Length == 0 ? 0 : length / rows.Length;
            for (int r = 0; r < rows.Length; r++)
            {
                expanded.Slice(r * width, width).Fill(rows[r]);
            }

            return expanded;
        }

        [HotPath]
        public void Set(Tensor input, Tensor target, Tensor var, bool targetGradient, bool perRow)
        {
            _input = input;
            _target = target;
            _var = var;
            _targetGradient = targetGradient;
            _perRow = perRow;
        }

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            bool perElement = ((Loss)Owner!).Reduction == Reduction.None;
            ReadOnlySpan<float> upstream = OutputGrad;
            int n = _input!.Length;
            ThreeInputGraph.AddScaled(_input, _inputGrad.AsSpan(0, n), upstream, perElement);
            if (_targetGradient)
            {
                ThreeInputGraph.AddScaled(_target!, _targetGrad.AsSpan(0, n), upstream, perElement);
            }

            if (!_perRow)
            {
                ThreeInputGraph.AddScaled(_var!, _varGrad.AsSpan(0, n), upstream, perElement);
                return;
            }

            // A variance broadcast along a row gets the sum of its row's gradients.
            int rows = _var!.Length;
            int width = rows == 0 ? 0 : n / rows;
            Span<float> rowGrad = ThreeInputGraph.Buffer(ref _rowGrad, rows);
            for (int r = 0; r < rows; r++)
            {
                float sum = 0f;
                for (int j = r * width; j < (r + 1) * width; j++)
                {
                    sum += _varGrad[j] * (perElement ? upstream[j] : upstream[0]);
                }

                rowGrad[r] = sum;
            }

            ReadOnlySpan<float> one = [1f];
            ThreeInputGraph.AddScaled(_var, rowGrad, one, perElement: false);
        }
    }
}
