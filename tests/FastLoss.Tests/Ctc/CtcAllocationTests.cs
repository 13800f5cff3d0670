using FastLoss.Functional;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Ctc;

/// <summary>After warm-up, CTC calls allocate nothing on the calling thread: span functions, and the module's forward and backward.</summary>
public class CtcAllocationTests
{
    private const int Calls = 200;

    [Fact]
    public void Span_functions_allocate_nothing()
    {
        var data = new CtcData(1, 50, 16, 20, 30, 0, repeats: true);
        float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, data.TargetLengths)];
        float[] grad = new float[data.Layout.Length];
        float[] losses = new float[16];
        float[] upstream = new float[16];
        Array.Fill(upstream, 0.5f);
        float total = 0;

        void Step()
        {
            CtcTargets padded = data.Targets(concatenated: false);
            CtcTargets concatenated = data.Targets(concatenated: true);
            total += CtcLoss.Forward(data.LogProbsFloat, data.Layout, padded, workspace);
            total += CtcLoss.ForwardBackward(data.LogProbsFloat, data.Layout, concatenated, grad, workspace, new CtcOptions { ZeroInfinity = true }, Reduction.Sum);
            CtcLoss.ForwardNone(data.LogProbsFloat, data.Layout, padded, losses, workspace);
            CtcLoss.ForwardBackwardNone(data.LogProbsFloat, data.Layout, concatenated, losses, upstream, grad, workspace);
        }

        long allocated = SteadyState.AllocatedBytes(Step, Calls);
        Assert.True(allocated == 0, $"{allocated} bytes allocated over {Calls} calls");
        Assert.True(float.IsFinite(total));
    }

    [Fact]
    public void Module_forward_and_backward_allocate_nothing()
    {
        var data = new CtcData(2, 50, 16, 20, 30, 0, repeats: false);
        Tensor logProbs = Tensor.FromValues(data.LogProbsFloat, 50, 16, 20);
        logProbs.RequiresGrad = true;
        var padded = IndexTensor.FromValues(data.Padded, 16, 30);
        var concatenated = IndexTensor.FromValues(data.Concatenated, data.Concatenated.Length);
        var inputLengths = IndexTensor.FromValues(Array.ConvertAll(data.InputLengths, v => (long)v), 16);
        var targetLengths = IndexTensor.FromValues(Array.ConvertAll(data.TargetLengths, v => (long)v), 16);
        var mean = new CTCLoss();
        var none = new CTCLoss(reduction: Reduction.None, zeroInfinity: true);
        Tensor upstream = Tensor.FromValues(new float[16], 16);

        void Step()
        {
            mean.Forward(logProbs, padded, inputLengths, targetLengths).Backward();
            Tensor twice = mean.Forward(logProbs, concatenated, data.InputLengths, data.TargetLengths)
                + mean.Forward(logProbs, padded, data.InputLengths, data.TargetLengths);
            twice.Backward();
            none.Forward(logProbs, padded, data.InputLengths, data.TargetLengths).Backward(upstream);
            logProbs.ZeroGrad();
        }

        long allocated = SteadyState.AllocatedBytes(Step, Calls);
        Assert.True(allocated == 0, $"{allocated} bytes allocated over {Calls} calls");
    }
}
