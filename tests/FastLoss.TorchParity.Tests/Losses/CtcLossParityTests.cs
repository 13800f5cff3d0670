using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.TorchParity.Tests.Cases;
using TorchSharp;

namespace FastLoss.TorchParity.Tests.Losses;

/// <summary>
/// CTCLoss against libtorch's CPU ctc_loss (through TorchSharp's torch.nn.functional.ctc_loss and autograd): every
/// reduction, blank 0 and inside the labels, zero_infinity on and off, padded and concatenated targets, unbatched
/// input, repeated labels, empty targets, infeasible targets; losses and gradients, through the module (backward with
/// an upstream gradient) and the span functions. FastLoss runs torch's float32 recursion operation for operation with
/// the same libm expf and logf, so per-sequence losses and every gradient element are bit-identical to torch's; a
/// reduced loss may differ in its last bit or two, as torch sums the batch in float lanes and FastLoss in double.
/// </summary>
[Collection(TorchOracle.Name)]
public sealed class CtcLossParityTests
{
    private const double Exact = 0;

    /// <summary>A few float32 roundings: the sum or mean over the batch.</summary>
    private const double ReducedRelative = 1e-6;

    public static TheoryData<CtcCase, Reduction, bool> Cases()
    {
        var data = new TheoryData<CtcCase, Reduction, bool>();
        CtcCase[] shapes =
        [
            new(12, 4, 5, 4, 0, Concatenated: false, Batched: true, CtcTargetKind.Random),
            new(12, 4, 5, 4, 2, Concatenated: true, Batched: true, CtcTargetKind.Random),
            new(20, 5, 6, 8, 5, Concatenated: false, Batched: true, CtcTargetKind.Repeats),
            new(20, 5, 6, 8, 0, Concatenated: true, Batched: true, CtcTargetKind.Repeats),
            new(10, 5, 4, 4, 0, Concatenated: false, Batched: true, CtcTargetKind.EmptyTargets),
            new(10, 5, 4, 4, 3, Concatenated: true, Batched: true, CtcTargetKind.EmptyTargets),
            new(9, 6, 5, 5, 0, Concatenated: false, Batched: true, CtcTargetKind.Infeasible),
            new(9, 6, 5, 5, 1, Concatenated: true, Batched: true, CtcTargetKind.Infeasible),
            new(15, 1, 7, 6, 0, Concatenated: false, Batched: false, CtcTargetKind.Repeats),
            new(15, 1, 7, 6, 4, Concatenated: true, Batched: false, CtcTargetKind.Random),
            new(50, 16, 20, 30, 0, Concatenated: false, Batched: true, CtcTargetKind.Random),
            new(1, 3, 3, 1, 0, Concatenated: false, Batched: true, CtcTargetKind.Random),
        ];
        foreach (CtcCase shape in shapes)
        {
            foreach (Reduction reduction in new[] { Reduction.None, Reduction.Sum, Reduction.Mean })
            {
                data.Add(shape, reduction, false);
                data.Add(shape, reduction, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Module_matches_torch(CtcCase shape, Reduction reduction, bool zeroInfinity)
    {
        CtcCase ctc = shape.WithData(Seed(shape, reduction, zeroInfinity));
        float[] upstream = Upstream(ctc, reduction);
        (float[] torchLoss, float[] torchGrad) = Torch(ctc, reduction, zeroInfinity, upstream);

        var module = new CTCLoss(ctc.Blank, reduction, zeroInfinity);
        Tensor logProbs = Tensor.FromValues(ctc.LogProbs, ctc.LogProbsShape);
        logProbs.RequiresGrad = true;
        Tensor loss = ctc.Concatenated
            ? module.Forward(logProbs, IndexTensor.FromValues(ctc.Labels, ctc.LabelShape), ctc.InputLengths, ctc.TargetLengths)
            : module.Forward(logProbs, IndexTensor.FromValues(ctc.Labels, ctc.LabelShape), Lengths(ctc.InputLengths, ctc.Batched), Lengths(ctc.TargetLengths, ctc.Batched));
        Assert.Equal(torchLoss.Length == 1 && (reduction != Reduction.None || !ctc.Batched) ? 0 : 1, loss.Rank);
        Closeness.AssertClose(torchLoss, loss.ToArray(), LossTolerance(reduction), Exact, $"{ctc} {reduction} zero_infinity {zeroInfinity}: loss");

        UpstreamGradient.Backward(loss, upstream);
        Closeness.AssertClose(torchGrad, logProbs.Grad!.ToArray(), Exact, Exact, $"{ctc} {reduction} zero_infinity {zeroInfinity}: gradient");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Span_functions_match_torch(CtcCase shape, Reduction reduction, bool zeroInfinity)
    {
        CtcCase ctc = shape.WithData(Seed(shape, reduction, zeroInfinity));
        float[] upstream = Upstream(ctc, reduction);
        (float[] torchLoss, float[] torchGrad) = Torch(ctc, reduction, zeroInfinity, upstream);
        var options = new CtcOptions { Blank = ctc.Blank, ZeroInfinity = zeroInfinity };
        float[] workspace = new float[CtcLoss.WorkspaceLength(ctc.Layout, ctc.TargetLengths)];
        float[] grad = new float[ctc.Layout.Length];
        string what = $"{ctc} {reduction} zero_infinity {zeroInfinity}";
        if (reduction == Reduction.None)
        {
            float[] losses = new float[ctc.Batch];
            CtcLoss.ForwardNone(ctc.LogProbs, ctc.Layout, ctc.Targets, losses, workspace, options);
            Closeness.AssertClose(torchLoss, losses, Exact, Exact, $"{what}: ForwardNone");
            Array.Clear(losses);
            CtcLoss.ForwardBackwardNone(ctc.LogProbs, ctc.Layout, ctc.Targets, losses, upstream, grad, workspace, options);
            Closeness.AssertClose(torchLoss, losses, Exact, Exact, $"{what}: ForwardBackwardNone loss");
            Closeness.AssertClose(torchGrad, grad, Exact, Exact, $"{what}: ForwardBackwardNone gradient");
            return;
        }

        float loss = CtcLoss.Forward(ctc.LogProbs, ctc.Layout, ctc.Targets, workspace, options, reduction);
        Closeness.AssertClose(torchLoss, [loss], ReducedRelative, Exact, $"{what}: Forward");

        // ForwardBackward's gradient is for an upstream gradient of 1.
        (_, float[] unitGrad) = Torch(ctc, reduction, zeroInfinity, [1f]);
        loss = CtcLoss.ForwardBackward(ctc.LogProbs, ctc.Layout, ctc.Targets, grad, workspace, options, reduction);
        Closeness.AssertClose(torchLoss, [loss], ReducedRelative, Exact, $"{what}: ForwardBackward loss");
        Closeness.AssertClose(unitGrad, grad, Exact, Exact, $"{what}: ForwardBackward gradient");
    }

    /// <summary>Without zero_infinity an infeasible target's loss is +inf and its gradient NaN (torch computes exp(-inf + inf)); with it, both 0.</summary>
    [Fact]
    public void Infeasible_targets_give_torchs_infinity_and_nan()
    {
        CtcCase ctc = new CtcCase(9, 6, 5, 5, 0, Concatenated: false, Batched: true, CtcTargetKind.Infeasible).WithData(3);
        float[] upstream = Upstream(ctc, Reduction.None);
        (float[] torchLoss, float[] torchGrad) = Torch(ctc, Reduction.None, zeroInfinity: false, upstream);
        Assert.Contains(float.PositiveInfinity, torchLoss);
        Assert.Contains(torchGrad, float.IsNaN);

        var module = new CTCLoss(reduction: Reduction.None);
        Tensor logProbs = Tensor.FromValues(ctc.LogProbs, ctc.LogProbsShape);
        logProbs.RequiresGrad = true;
        Tensor loss = module.Forward(logProbs, IndexTensor.FromValues(ctc.Labels, ctc.LabelShape), ctc.InputLengths, ctc.TargetLengths);
        Assert.Equal(torchLoss, loss.ToArray());
        UpstreamGradient.Backward(loss, upstream);
        float[] grad = logProbs.Grad!.ToArray();
        for (int i = 0; i < grad.Length; i++)
        {
            Assert.Equal(float.IsNaN(torchGrad[i]), float.IsNaN(grad[i]));
        }
    }

    /// <summary>
    /// Special log-probabilities: -inf (a label impossible at a step; a whole step impossible, so an infinite loss),
    /// NaN at a step and label no alignment uses, +inf. torch's full recursion spreads NaN and +inf through states
    /// outside the band FastLoss computes, so such a sequence takes the full recursion too: NaN where torch has NaN.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Special_log_probabilities_give_torchs_values(bool zeroInfinity)
    {
        CtcCase ctc = new CtcCase(8, 5, 5, 3, 0, Concatenated: false, Batched: true, CtcTargetKind.Random).WithData(21);
        float[] logProbs = ctc.LogProbs;
        int Index(int t, int n, int c) => (((t * ctc.Batch) + n) * ctc.Classes) + c;
        // Sequences 1 and 2: three distinct labels over all 8 steps.
        long[][] rows = [[1, 2, 3], [2, 3, 4]];
        for (int n = 1; n <= 2; n++)
        {
            rows[n - 1].CopyTo(ctc.Labels, n * ctc.MaxTarget);
            ctc.TargetLengths[n] = 3;
            ctc.InputLengths[n] = 8;
        }

        logProbs[Index(2, 0, 1)] = float.NegativeInfinity;
        logProbs[Index(5, 0, 0)] = float.NegativeInfinity;

        // NaN at t = 1 on the third label: its state (s = 5) is beyond reach at t = 1, which torch computes anyway.
        logProbs[Index(1, 1, 3)] = float.NaN;

        // +inf at t = 6 on the first label: its state (s = 1) can no longer finish, which torch computes anyway.
        logProbs[Index(6, 2, 2)] = float.PositiveInfinity;
        for (int c = 0; c < ctc.Classes; c++)
        {
            logProbs[Index(3, 3, c)] = float.NegativeInfinity;
        }

        logProbs[Index(ctc.InputLengths[4] - 1, 4, 2)] = float.NaN;
        float[] upstream = Upstream(ctc, Reduction.None);
        (float[] torchLoss, float[] torchGrad) = Torch(ctc, Reduction.None, zeroInfinity, upstream);

        var module = new CTCLoss(reduction: Reduction.None, zeroInfinity: zeroInfinity);
        Tensor input = Tensor.FromValues(logProbs, ctc.LogProbsShape);
        input.RequiresGrad = true;
        Tensor loss = module.Forward(input, IndexTensor.FromValues(ctc.Labels, ctc.LabelShape), ctc.InputLengths, ctc.TargetLengths);
        Closeness.AssertClose(torchLoss, loss.ToArray(), Exact, Exact, "special values: losses");
        UpstreamGradient.Backward(loss, upstream);
        Closeness.AssertClose(torchGrad, input.Grad!.ToArray(), Exact, Exact, "special values: gradient");
    }

    /// <summary>The module called twice in one graph records two nodes; the gradients add into logProbs.Grad as torch's do, and again on a second backward.</summary>
    [Fact]
    public void Two_calls_in_one_graph_accumulate_as_torch()
    {
        CtcCase first = new CtcCase(12, 4, 5, 4, 0, Concatenated: false, Batched: true, CtcTargetKind.Random).WithData(11);
        CtcCase second = first.WithData(12);
        float[] logProbs = first.LogProbs;

        float[] expected;
        using (var scope = torch.NewDisposeScope())
        {
            torch.Tensor x = TorchConvert.ToTorch(logProbs, first.LogProbsShape, requiresGrad: true);
            torch.Tensor total = first.TorchLoss(x, Reduction.Mean, false) + (0.5f * second.TorchLoss(x, Reduction.Mean, false));
            total.backward();
            first.TorchLoss(x, Reduction.Sum, false).backward();
            expected = TorchConvert.ToArray(x.grad!);
        }

        var mean = new CTCLoss();
        var sum = new CTCLoss(reduction: Reduction.Sum);
        Tensor input = Tensor.FromValues(logProbs, first.LogProbsShape);
        input.RequiresGrad = true;
        IndexTensor labels1 = IndexTensor.FromValues(first.Labels, first.LabelShape);
        IndexTensor labels2 = IndexTensor.FromValues(second.Labels, second.LabelShape);
        Tensor loss = mean.Forward(input, labels1, first.InputLengths, first.TargetLengths)
            + (0.5f * mean.Forward(input, labels2, second.InputLengths, second.TargetLengths));
        loss.Backward();
        sum.Forward(input, labels1, first.InputLengths, first.TargetLengths).Backward();
        Closeness.AssertClose(expected, input.Grad!.ToArray(), Exact, Exact, "accumulated gradient");
    }

    private static double LossTolerance(Reduction reduction) => reduction == Reduction.None ? Exact : ReducedRelative;

    private static (float[] Loss, float[] Grad) Torch(CtcCase ctc, Reduction reduction, bool zeroInfinity, float[] upstream)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor x = TorchConvert.ToTorch(ctc.LogProbs, ctc.LogProbsShape, requiresGrad: true);
        torch.Tensor loss = ctc.TorchLoss(x, reduction, zeroInfinity);
        float[] values = TorchConvert.ToArray(loss);
        torch.Tensor seed = loss.dim() == 0 ? torch.tensor(upstream[0]) : torch.tensor(upstream, [upstream.Length]);
        loss.backward([seed]);
        return (values, TorchConvert.ToArray(x.grad!));
    }

    private static float[] Upstream(CtcCase ctc, Reduction reduction)
    {
        if (reduction != Reduction.None || !ctc.Batched)
        {
            return [0.75f];
        }

        var random = new Random(ctc.Batch);
        float[] upstream = new float[ctc.Batch];
        for (int n = 0; n < upstream.Length; n++)
        {
            upstream[n] = (float)((random.NextDouble() * 2) - 0.5);
        }

        return upstream;
    }

    private static IndexTensor Lengths(int[] lengths, bool batched) =>
        batched ? IndexTensor.FromValues(Array.ConvertAll(lengths, v => (long)v), lengths.Length) : IndexTensor.Scalar(lengths[0]);

    private static int Seed(CtcCase shape, Reduction reduction, bool zeroInfinity) =>
        (((((shape.Time * 31) + shape.Batch) * 31) + shape.Classes) * 31) + (shape.MaxTarget * 7) + (shape.Blank * 5) + ((int)shape.Kind * 3) + ((int)reduction * 2) + (zeroInfinity ? 1 : 0);
}
