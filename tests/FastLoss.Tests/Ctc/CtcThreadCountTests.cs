using FastLoss.Functional;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Ctc;

/// <summary>Sequences run in parallel, each on its own rows: losses and gradients are bit-identical for any thread count.</summary>
[Collection(ProcessWideSettings.Name)]
public class CtcThreadCountTests
{
    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var data = new CtcData(8, 50, 16, 20, 30, 0, repeats: true);
        (float[] Losses, float[] Grad) Run(int threads)
        {
            using var scope = new ThreadCountScope(threads);
            float[] workspace = new float[CtcLoss.WorkspaceLength(data.Layout, data.TargetLengths)];
            float[] losses = new float[16];
            float[] grad = new float[data.Layout.Length];
            float[] upstream = new float[16];
            Array.Fill(upstream, 0.25f);
            CtcLoss.ForwardBackwardNone(data.LogProbsFloat, data.Layout, data.Targets(concatenated: true), losses, upstream, grad, workspace);
            return (losses, grad);
        }

        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            Assert.Equal(one.Losses, many.Losses);
            Assert.Equal(one.Grad, many.Grad);
        }
    }
}
