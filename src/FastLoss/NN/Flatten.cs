using FastLoss.Autograd;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// torch.nn.Flatten(start_dim = 1, end_dim = -1): merges dimensions start..end into one. The output is a view
/// of the input's elements (no copy), rebuilt only when the input tensor or its shape changes; its gradient is
/// its own buffer, added into the input's gradient on the way back.
/// </summary>
public sealed class Flatten : Module
{
    private readonly FlattenNode _node = new();
    private Tensor? _viewedInput;
    private int[] _viewedShape = [];
    private Tensor? _output;

    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    public int StartDim { get; }

    public int EndDim { get; }

    [HotPath]
    protected internal override void ZeroParameterGrads()
    {
        // No parameters.
    }

    [HotPath]
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor output = Plan(input);
        bool record = Tape.IsRecording && input.RequiresGrad;
        output.RequiresGrad = record;
        if (record)
        {
            _node.Prepare(input, output);
            Tape.Record(_node);
        }

        return output;
    }

    private Tensor Plan(Tensor input)
    {
        if (_output is not null && ReferenceEquals(input, _viewedInput) && input.Shape.SequenceEqual(_viewedShape))
        {
            return _output;
        }

        int rank = input.Rank;
        int start = TensorShape.NormalizeDim(StartDim, rank);
        int end = TensorShape.NormalizeDim(EndDim, rank);
        if (start > end)
        {
            throw new ArgumentException("flatten() has invalid args: start_dim cannot come after end_dim", nameof(input));
        }

        int[] shape;
        if (rank == 0)
        {
            shape = [1];
        }
        else
        {
            shape = new int[rank - (end - start)];
            int merged = 1;
            for (int d = start; d <= end; d++)
            {
                merged *= input.Shape[d];
            }

            for (int d = 0; d < start; d++)
            {
                shape[d] = input.Shape[d];
            }

            shape[start] = merged;
            for (int d = end + 1; d < rank; d++)
            {
                shape[d - (end - start)] = input.Shape[d];
            }
        }

        _output = Tensor.Wrap(input.Storage, input.Offset, shape);
        _viewedInput = input;
        _viewedShape = input.Shape.ToArray();
        return _output;
    }

    /// <summary>The recorded step: the input's gradient gets the output's, element for element.</summary>
    private sealed class FlattenNode : IBackwardNode
    {
        private Tensor? _input;
        private Tensor? _output;

        public Tensor Output => _output!;

        [HotPath]
        public void Prepare(Tensor input, Tensor output)
        {
            _input = input;
            _output = output;
        }

        [HotPath]
        public void Backward()
        {
            Tensor? outputGrad = _output!.Grad;
            if (outputGrad is not null)
            {
                Span<float> inputGrad = _input!.GetOrCreateGrad().Span;
                System.Numerics.Tensors.TensorPrimitives.Add(inputGrad, outputGrad.Span, inputGrad);
            }
        }
    }
}
