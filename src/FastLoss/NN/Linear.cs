using FastLoss.Autograd;
using FastLoss.Generation;
using FastLoss.Kernels;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.Linear: y = x W^T + b for input (*, in), W (out, in). The bias is per unit (out), absent, or one
/// shared 0-dim value broadcast over the units (what torch gets from <c>bias.data = torch.tensor(5.5)</c>), whose
/// gradient is the sum over units and samples. Initialised as torch's reset_parameters.
/// </summary>
public sealed class Linear : Module
{

    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures < 0 || outFeatures < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(inFeatures), $"Linear: in_features and out_features must not be negative, got {inFeatures} and {outFeatures}.");
        }

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = Tensor.Zeros(outFeatures, inFeatures);
        Weight.RequiresGrad = true;
        if (bias)
        {
            Bias = Tensor.Zeros(outFeatures);
            Bias.RequiresGrad = true;
        }

        Init.DefaultLayer(Weight, Bias, generator);
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    /// <summary>The weight (out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias: shape (out), shape () when shared by all units, or null.</summary>
    public Tensor? Bias { get; private set; }

    /// <summary>
    /// Replaces the bias parameter: a tensor of shape (out), a 0-dim tensor shared by all units, or null for none.
    /// The tensor becomes the parameter (RequiresGrad is set). Build optimizers after this call, since they hold
    /// the parameter tensors they were given.
    /// </summary>
    public void SetBias(Tensor? bias)
    {
        if (bias is not null && !(bias.Rank == 0 || (bias.Rank == 1 && bias.Shape[0] == OutFeatures)))
        {
            throw new ArgumentException(
                $"Linear: a bias must have shape [{OutFeatures}] or [] (one shared value), got {TensorShape.FormatList(bias.Shape)}.", nameof(bias));
        }

        if (bias is not null)
        {
            bias.RequiresGrad = true;
        }

        Bias = bias;
    }

    /// <summary>Makes the bias one 0-dim value shared by all units (torch: <c>layer.bias.data = torch.tensor(value)</c>).</summary>
    public void SetScalarBias(float value) => SetBias(Tensor.Scalar(value));

    [HotPath]
    private protected override Tensor Compute(GraphArena arena, Tensor input)
    {
        int last = input.Rank == 0 ? 1 : input.Shape[^1];
        int rows = input.Rank == 0 ? 1 : TensorShape.ElementCount(input.Shape[..^1]);
        if (input.Rank == 0 || last != InFeatures)
        {
            throw new ArgumentException(
                $"mat1 and mat2 shapes cannot be multiplied ({rows}x{last} and {InFeatures}x{OutFeatures})", nameof(input));
        }

        LinearNode node = arena.Claim<LinearNode>(this, input.Shape);
        Tensor output = node.Plan(input.Shape, OutFeatures);
        Tensor? bias = Bias;
        LinearKernels.Forward(
            input.Data, Weight.Data, bias is null ? default : bias.Data, rows, InFeatures, OutFeatures, output.Data);
        if (arena.WantsGraph(input, Weight, bias))
        {
            node.Set(input, bias, rows);
            arena.Record(node, input);
        }

        return output;
    }

    protected internal override void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> parameters)
    {
        parameters.Add((prefix + "weight", Weight));
        if (Bias is not null)
        {
            parameters.Add((prefix + "bias", Bias));
        }
    }

    protected internal override void ClearParameterGrads(bool setToNone)
    {
        Clear(Weight, setToNone);
        Clear(Bias, setToNone);
    }

    /// <summary>One call: dx = dy W, dW += dy^T x, db += sums of dy (each written where it is the first gradient).</summary>
    private sealed class LinearNode : Node
    {
        private Tensor? _input;
        private Tensor? _bias;
        private int _rows;

        public Tensor Plan(ReadOnlySpan<int> inputShape, int outFeatures)
        {
            if (!IsPlanned)
            {
                int[] outputShape = inputShape.ToArray();
                outputShape[^1] = outFeatures;
                PlanOutput(outputShape);
            }

            return Output;
        }

        [HotPath]
        public void Set(Tensor input, Tensor? bias, int rows)
        {
            _input = input;
            _bias = bias;
            _rows = rows;
        }

        [HotPath]
        internal override void Backward(BackwardPass pass)
        {
            var layer = (Linear)Owner!;
            Tensor input = _input!;
            ReadOnlySpan<float> outputGrad = OutputGrad;
            Span<float> inputGrad = BackwardPass.GradientFor(input, out bool accumulate);
            if (!inputGrad.IsEmpty)
            {
                LinearKernels.InputGrad(outputGrad, layer.Weight.Data, _rows, layer.InFeatures, layer.OutFeatures, inputGrad, accumulate);
            }

            Span<float> weightGrad = BackwardPass.GradientFor(layer.Weight, out accumulate);
            if (!weightGrad.IsEmpty)
            {
                LinearKernels.WeightGrad(outputGrad, input.Data, _rows, layer.InFeatures, layer.OutFeatures, weightGrad, accumulate);
            }

            Span<float> biasGrad = _bias is null ? default : BackwardPass.GradientFor(_bias, out accumulate);
            if (!biasGrad.IsEmpty)
            {
                LinearKernels.BiasGrad(outputGrad, _rows, layer.OutFeatures, biasGrad, accumulate);
            }
        }
    }
}
