using System.Numerics.Tensors;
using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.Generation;

namespace FastLoss.NN;

/// <summary>
/// One call of a classification loss (CrossEntropyLoss, NLLLoss): its output (a 0-dim tensor for a reduced loss, or
/// one value per entry), the input's gradient written by the fused forward pass (cross-entropy) or scattered at
/// backward time (NLL), and, for probability targets that require grad, the target's gradient.
/// </summary>
internal sealed class ClassLossNode : Node
{
    private Tensor? _input;
    private Tensor? _probabilities;
    private long[] _targets = [];
    private float[] _gradient = [];
    private float[] _scratch = [];
    private ClassLayout _layout;
    private double _denominator;
    private bool _nll;

    /// <summary>The output for the reduction; for <see cref="Reduction.None"/> shaped like the input without its class dimension.</summary>
    public Tensor Plan(Reduction reduction, ReadOnlySpan<int> inputShape)
    {
        if (!IsPlanned)
        {
            if (reduction != Reduction.None)
            {
                PlanOutput([]);
            }
            else
            {
                int classDim = inputShape.Length == 1 ? 0 : 1;
                var shape = new int[inputShape.Length - 1];
                inputShape[..classDim].CopyTo(shape);
                inputShape[(classDim + 1)..].CopyTo(shape.AsSpan(classDim));
                PlanOutput(shape);
            }
        }

        return Output;
    }

    /// <summary>A buffer of <paramref name="length"/> floats for the fused pass to write the input's gradient into.</summary>
    public Span<float> Gradient(int length) => Buffer(ref _gradient, length);

    /// <summary>Keeps what a cross-entropy backward needs (its input gradient was written by the forward pass).</summary>
    [HotPath]
    public void SetCrossEntropy(Tensor input, Tensor? probabilities, ClassLayout layout)
    {
        _nll = false;
        _input = input;
        _probabilities = probabilities;
        _layout = layout;
    }

    /// <summary>Keeps what an NLL backward needs: the class-index targets are copied, so the caller may reuse its tensor.</summary>
    [HotPath]
    public void SetNll(Tensor input, ReadOnlySpan<long> targets, ClassLayout layout, double denominator)
    {
        _nll = true;
        _input = input;
        _probabilities = null;
        _layout = layout;
        _denominator = denominator;
        targets.CopyTo(TargetBuffer(targets.Length));
    }

    [HotPath]
    internal override void Backward(BackwardPass pass)
    {
        var loss = (WeightedLoss)Owner!;
        bool perEntry = loss.Reduction == Reduction.None;
        GradientTarget inputGrad = GradientTarget.For(_input!);
        if (!inputGrad.IsEmpty)
        {
            if (_nll)
            {
                NllGradient(loss, inputGrad.Span, inputGrad.Accumulate, perEntry);
            }
            else
            {
                ScaleGradient(_gradient.AsSpan(0, _layout.Length), inputGrad.Span, inputGrad.Accumulate, perEntry);
            }
        }

        if (_probabilities is not null)
        {
            GradientTarget targetGrad = GradientTarget.For(_probabilities);
            if (!targetGrad.IsEmpty)
            {
                ProbabilityTargetGradient((CrossEntropyLoss)loss, targetGrad.Span, targetGrad.Accumulate, perEntry);
            }
        }
    }

    /// <summary>Adds (or writes) upstream x the fused gradient: one upstream value, or one per entry scaling its classes.</summary>
    [HotPath]
    private void ScaleGradient(ReadOnlySpan<float> gradient, Span<float> destination, bool accumulate, bool perEntry)
    {
        ReadOnlySpan<float> upstream = OutputGrad;
        if (!perEntry)
        {
            if (accumulate)
            {
                TensorPrimitives.MultiplyAdd(gradient, upstream[0], destination, destination);
            }
            else
            {
                TensorPrimitives.Multiply(gradient, upstream[0], destination);
            }

            return;
        }

        int classes = _layout.Classes, inner = _layout.Inner;
        for (int b = 0; b < _layout.Batch; b++)
        {
            if (inner == 1)
            {
                Span<float> row = destination.Slice(b * classes, classes);
                MultiplyInto(gradient.Slice(b * classes, classes), upstream[b], row, accumulate);
                continue;
            }

            ReadOnlySpan<float> entries = upstream.Slice(b * inner, inner);
            for (int c = 0; c < classes; c++)
            {
                int start = ((b * classes) + c) * inner;
                Span<float> slice = destination.Slice(start, inner);
                if (accumulate)
                {
                    TensorPrimitives.MultiplyAdd(gradient.Slice(start, inner), entries, slice, slice);
                }
                else
                {
                    TensorPrimitives.Multiply(gradient.Slice(start, inner), entries, slice);
                }
            }
        }
    }

    /// <summary>NLL's gradient, -w[y] x scale at each kept entry's target class and 0 elsewhere.</summary>
    [HotPath]
    private void NllGradient(WeightedLoss loss, Span<float> destination, bool accumulate, bool perEntry)
    {
        var options = new NllLossOptions
        {
            Weight = loss.Weight is null ? [] : loss.Weight.Values,
            IgnoreIndex = ((NLLLoss)loss).IgnoreIndex,
        };
        if (!accumulate)
        {
            destination.Clear();
        }

        ReadOnlySpan<long> targets = _targets.AsSpan(0, _layout.Entries);
        ReadOnlySpan<float> upstream = OutputGrad;
        if (perEntry)
        {
            NllLoss.AccumulateGradient(_layout, targets, _denominator, options, Reduction.None, 1f, upstream, destination);
        }
        else
        {
            NllLoss.AccumulateGradient(_layout, targets, _denominator, options, loss.Reduction, upstream[0], [], destination);
        }
    }

    /// <summary>
    /// d loss / d target[n, c] = -w[c] (1 - eps) log_softmax(x_n)[c], times the entry's upstream gradient (and 1/N for
    /// the mean): the gradient torch gives a probability target that requires grad.
    /// </summary>
    [HotPath]
    private void ProbabilityTargetGradient(CrossEntropyLoss loss, Span<float> destination, bool accumulate, bool perEntry)
    {
        Span<float> logProbabilities = Buffer(ref _scratch, _layout.Length);
        LogSoftmaxKernel.Forward(_input!.Data, _layout, logProbabilities);
        ReadOnlySpan<float> weight = loss.Weight is null ? [] : loss.Weight.Values;
        ReadOnlySpan<float> upstream = OutputGrad;
        float common = -(1f - loss.LabelSmoothing);
        if (!perEntry)
        {
            common *= loss.Reduction == Reduction.Mean ? upstream[0] / _layout.Entries : upstream[0];
        }

        int classes = _layout.Classes, inner = _layout.Inner;
        for (int b = 0; b < _layout.Batch; b++)
        {
            for (int c = 0; c < classes; c++)
            {
                float classScale = common * (weight.IsEmpty ? 1f : weight[c]);
                int start = ((b * classes) + c) * inner;
                for (int i = 0; i < inner; i++)
                {
                    float value = classScale * logProbabilities[start + i] * (perEntry ? upstream[(b * inner) + i] : 1f);
                    destination[start + i] = accumulate ? destination[start + i] + value : value;
                }
            }
        }
    }

    private long[] TargetBuffer(int length)
    {
        if (_targets.Length < length)
        {
            _targets = new long[length];
        }

        return _targets;
    }

    private static void MultiplyInto(ReadOnlySpan<float> gradient, float scale, Span<float> destination, bool accumulate)
    {
        if (accumulate)
        {
            TensorPrimitives.MultiplyAdd(gradient, scale, destination, destination);
        }
        else
        {
            TensorPrimitives.Multiply(gradient, scale, destination);
        }
    }

    private static Span<float> Buffer(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }

        return buffer.AsSpan(0, length);
    }
}
