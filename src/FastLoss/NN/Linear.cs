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
    private readonly LinearNode _node;
    private Tensor? _output;

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
        _node = new LinearNode(this);
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
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int last = input.Rank == 0 ? 1 : input.Shape[^1];
        int rows = input.Rank == 0 ? 1 : TensorShape.ElementCount(input.Shape[..^1]);
        if (input.Rank == 0 || last != InFeatures)
        {
            throw new ArgumentException(
                $"mat1 and mat2 shapes cannot be multiplied ({rows}x{last} and {InFeatures}x{OutFeatures})", nameof(input));
        }

        Tensor output = Plan(input);
        Tensor? bias = Bias;
        LinearKernels.Forward(
            input.Span, Weight.Span, bias is null ? default : bias.Span, rows, InFeatures, OutFeatures, output.Span);

        bool record = Tape.IsRecording && (input.RequiresGrad || Weight.RequiresGrad || (bias?.RequiresGrad ?? false));
        output.RequiresGrad = record;
        if (record)
        {
            _node.Prepare(input, output, bias, rows);
            Tape.Record(_node);
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

    [HotPath]
    protected internal override void ZeroParameterGrads()
    {
        Weight.ZeroGrad();
        Bias?.ZeroGrad();
    }

    private Tensor Plan(Tensor input)
    {
        Tensor? output = _output;
        ReadOnlySpan<int> shape = input.Shape;
        if (output is not null && output.Shape[..^1].SequenceEqual(shape[..^1]))
        {
            return output;
        }

        int[] outputShape = shape.ToArray();
        outputShape[^1] = OutFeatures;
        _output = Tensor.Zeros(outputShape);
        return _output;
    }

    /// <summary>The recorded step: dx += dy W, dW += dy^T x, db += sums of dy.</summary>
    private sealed class LinearNode(Linear layer) : IBackwardNode
    {
        private Tensor? _input;
        private Tensor? _output;
        private Tensor? _bias;
        private int _rows;

        public Tensor Output => _output!;

        [HotPath]
        public void Prepare(Tensor input, Tensor output, Tensor? bias, int rows)
        {
            _input = input;
            _output = output;
            _bias = bias;
            _rows = rows;
        }

        [HotPath]
        public void Backward()
        {
            Tensor input = _input!;
            Tensor? outputGrad = _output!.Grad;
            if (outputGrad is null)
            {
                return;
            }

            if (input.RequiresGrad)
            {
                LinearKernels.AccumulateInputGrad(
                    outputGrad.Span, layer.Weight.Span, _rows, layer.InFeatures, layer.OutFeatures, input.GetOrCreateGrad().Span);
            }

            if (layer.Weight.RequiresGrad)
            {
                LinearKernels.AccumulateWeightGrad(
                    outputGrad.Span, input.Span, _rows, layer.InFeatures, layer.OutFeatures, layer.Weight.GetOrCreateGrad().Span);
            }

            if (_bias is { RequiresGrad: true })
            {
                LinearKernels.AccumulateBiasGrad(outputGrad.Span, _rows, layer.OutFeatures, _bias.GetOrCreateGrad().Span);
            }
        }
    }
}
