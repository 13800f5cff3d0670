using FastLoss.Autograd;
using FastLoss.Functional;
using FastLoss.NN;

namespace FastLoss.Tests.Ctc;

/// <summary>The module's graph semantics (docs/autograd.md) for CTCLoss: a node per call, accumulation, release after backward.</summary>
public class CtcModuleTests
{
    [Fact]
    public void Each_call_records_its_own_node_and_gradients_accumulate()
    {
        var data = new CtcData(3, 10, 3, 5, 4, 0, repeats: true);
        var module = new CTCLoss(reduction: Reduction.Sum);
        float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, data.TargetLengths)];
        float[] once = new float[data.Layout.Length];
        CtcLoss.ForwardBackward(data.LogProbsFloat, data.Layout, data.Targets(false), once, workspace, default, Reduction.Sum);

        Tensor logProbs = Tensor.FromValues(data.LogProbsFloat, 10, 3, 5);
        logProbs.RequiresGrad = true;
        var targets = IndexTensor.FromValues(data.Padded, 3, 4);
        Tensor first = module.Forward(logProbs, targets, data.InputLengths, data.TargetLengths);
        Tensor second = module.Forward(logProbs, targets, data.InputLengths, data.TargetLengths);
        Assert.NotSame(first, second);
        (first + (2f * second)).Backward();
        float[] grad = logProbs.Grad!.ToArray();
        for (int i = 0; i < grad.Length; i++)
        {
            Assert.Equal(once[i] + (2f * once[i]), grad[i], 5e-6f);
        }

        Assert.Equal(0, GradMode.PendingNodes);
        var exception = Assert.Throws<InvalidOperationException>(() => first.Backward());
        Assert.Contains("backward through the graph a second time", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retained_graphs_run_again_and_no_grad_records_nothing()
    {
        var data = new CtcData(4, 8, 2, 4, 3, 1, repeats: false);
        var module = new CTCLoss(blank: 1);
        Tensor logProbs = Tensor.FromValues(data.LogProbsFloat, 8, 2, 4);
        logProbs.RequiresGrad = true;
        var targets = IndexTensor.FromValues(data.Concatenated, data.Concatenated.Length);
        Tensor loss = module.Forward(logProbs, targets, data.InputLengths, data.TargetLengths);
        loss.Backward(retainGraph: true);
        float[] after1 = logProbs.Grad!.ToArray();
        loss.Backward();
        float[] after2 = logProbs.Grad!.ToArray();
        for (int i = 0; i < after1.Length; i++)
        {
            Assert.Equal(after1[i] + after1[i], after2[i]);
        }

        using (GradMode.NoGrad())
        {
            Tensor value = module.Forward(logProbs, targets, data.InputLengths, data.TargetLengths);
            Assert.False(value.RequiresGrad);
            Assert.Equal(loss.Item(), value.Item());
        }

        Assert.Equal(0, GradMode.PendingNodes);
    }

    /// <summary>The node copies labels and lengths: changing the caller's tensors before backward changes nothing.</summary>
    [Fact]
    public void Backward_reads_the_targets_of_its_call()
    {
        var data = new CtcData(5, 8, 2, 4, 3, 0, repeats: false);
        var module = new CTCLoss();
        Tensor logProbs = Tensor.FromValues(data.LogProbsFloat, 8, 2, 4);
        logProbs.RequiresGrad = true;
        var targets = IndexTensor.FromValues(data.Padded, 2, 3);
        int[] inputLengths = (int[])data.InputLengths.Clone();
        Tensor loss = module.Forward(logProbs, targets, inputLengths, data.TargetLengths);
        float[] expected = new float[data.Layout.Length];
        float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, data.TargetLengths)];
        CtcLoss.ForwardBackward(data.LogProbsFloat, data.Layout, data.Targets(false), expected, workspace);
        targets.Span.Fill(1);
        inputLengths[0] = 1;
        loss.Backward();
        Assert.Equal(expected, logProbs.Grad!.ToArray());
    }
}
