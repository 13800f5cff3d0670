using FastLoss.Functional;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Cases;

/// <summary>What the targets of a CTC case exercise.</summary>
public enum CtcTargetKind
{
    /// <summary>Random labels (no blank) and lengths, every input long enough.</summary>
    Random,

    /// <summary>Runs of equal labels ("aab"), which need a blank between the repeats.</summary>
    Repeats,

    /// <summary>Some targets of length 0 (only blanks), one input of length 0 with an empty target.</summary>
    EmptyTargets,

    /// <summary>Some targets no alignment fits: longer than the input, or repeats that need more steps than it has.</summary>
    Infeasible,
}

/// <summary>
/// One CTC configuration and its seeded data: log-probabilities (log_softmax of random logits, computed in double
/// and rounded), labels padded (N, S) or concatenated, and the lengths; unbatched cases have N = 1 and drop it.
/// </summary>
public sealed record CtcCase(int Time, int Batch, int Classes, int MaxTarget, int Blank, bool Concatenated, bool Batched, CtcTargetKind Kind)
{
    public float[] LogProbs { get; private init; } = [];

    public long[] Labels { get; private init; } = [];

    public int[] InputLengths { get; private init; } = [];

    public int[] TargetLengths { get; private init; } = [];

    public CtcLayout Layout => new(Time, Batch, Classes);

    public int[] LogProbsShape => Batched ? [Time, Batch, Classes] : [Time, Classes];

    /// <summary>Padded (N, S) or (1, S) unbatched; 1-D concatenated.</summary>
    public int[] LabelShape => Concatenated ? [Labels.Length] : [Batch, MaxTarget];

    public CtcTargets Targets => Concatenated
        ? CtcTargets.Concatenated(Labels, InputLengths, TargetLengths)
        : CtcTargets.Padded(Labels, MaxTarget, InputLengths, TargetLengths);

    public override string ToString() =>
        $"T{Time} N{Batch} C{Classes} S{MaxTarget} blank {Blank} {(Concatenated ? "concatenated" : "padded")}{(Batched ? string.Empty : " unbatched")} {Kind}";

    public CtcCase WithData(int seed)
    {
        var random = new Random(seed);
        float[] logProbs = LogSoftmaxRows(random, Time * Batch, Classes);
        int[] inputLengths = new int[Batch];
        int[] targetLengths = new int[Batch];
        long[][] rows = new long[Batch][];
        for (int n = 0; n < Batch; n++)
        {
            inputLengths[n] = n == 0 ? Time : Math.Max(1, Time - random.Next(Math.Max(1, Time / 3)));
            int length = Kind switch
            {
                CtcTargetKind.EmptyTargets when n % 2 == 0 => 0,
                CtcTargetKind.Infeasible when n % 2 == 1 => MaxTarget,
                _ => random.Next(Math.Min(MaxTarget, inputLengths[n] / 2) + 1),
            };
            targetLengths[n] = length;
            rows[n] = new long[length];
            for (int i = 0; i < length; i++)
            {
                bool repeat = Kind is CtcTargetKind.Repeats or CtcTargetKind.Infeasible && i > 0 && random.Next(2) == 0;
                rows[n][i] = repeat ? rows[n][i - 1] : Label(random);
            }

            if (Kind == CtcTargetKind.Infeasible && n % 2 == 1)
            {
                // Too short for the target: a little shorter than it, or as long but with repeats needing blanks.
                Array.Fill(rows[n], rows[n][0], 0, Math.Min(2, length));
                inputLengths[n] = Math.Max(0, n % 4 == 1 ? length - 1 : length);
            }
        }

        if (Kind == CtcTargetKind.EmptyTargets && Batch > 2)
        {
            inputLengths[2] = 0;
        }

        long[] labels;
        if (Concatenated)
        {
            labels = rows.SelectMany(row => row).ToArray();
        }
        else
        {
            labels = new long[Batch * MaxTarget];
            for (int n = 0; n < Batch; n++)
            {
                rows[n].CopyTo(labels, n * MaxTarget);
                for (int i = rows[n].Length; i < MaxTarget; i++)
                {
                    labels[(n * MaxTarget) + i] = Label(random); // padding, which must be ignored
                }
            }
        }

        return this with { LogProbs = logProbs, Labels = labels, InputLengths = inputLengths, TargetLengths = targetLengths };
    }

    /// <summary>TorchSharp's ctc_loss on the same data (lengths as tensors; scalars when unbatched).</summary>
    public torch.Tensor TorchLoss(torch.Tensor logProbs, Reduction reduction, bool zeroInfinity)
    {
        long[] labelShape = Array.ConvertAll(LabelShape, d => (long)d);
        torch.Tensor targets = torch.tensor(Labels, labelShape);
        torch.Tensor inputLengths = Batched ? torch.tensor(Array.ConvertAll(InputLengths, v => (long)v)) : torch.tensor((long)InputLengths[0]);
        torch.Tensor targetLengths = Batched ? torch.tensor(Array.ConvertAll(TargetLengths, v => (long)v)) : torch.tensor((long)TargetLengths[0]);
        return torch.nn.functional.ctc_loss(logProbs, targets, inputLengths, targetLengths, Blank, zeroInfinity, ElementwiseParity.ToTorch(reduction));
    }

    private long Label(Random random)
    {
        long label = random.Next(Classes - 1);
        return label >= Blank ? label + 1 : label;
    }

    private static float[] LogSoftmaxRows(Random random, int rows, int classes)
    {
        var values = new float[rows * classes];
        var logits = new double[classes];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                logits[c] = 3 * ((2 * random.NextDouble()) - 1);
                max = Math.Max(max, logits[c]);
            }

            double sum = 0;
            foreach (double logit in logits)
            {
                sum += Math.Exp(logit - max);
            }

            for (int c = 0; c < classes; c++)
            {
                values[(r * classes) + c] = (float)(logits[c] - max - Math.Log(sum));
            }
        }

        return values;
    }
}
