using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Autograd;

/// <summary>
/// Forward passes outside NoGrad that are never backpropagated (an evaluation loop that forgot NoGrad) keep the
/// memory flat, as torch's freed graphs do: the thread keeps at most 16 such graphs and reuses the positions of the
/// ones it releases. The heap is measured process-wide, so this runs alone.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class UnbackpropagatedMemoryTests
{
    [Fact]
    public void Forwards_that_are_never_backpropagated_keep_the_memory_flat()
    {
        var model = new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 4));
        Tensor x = TestData.Tensor(1, 32, 8);
        for (int i = 0; i < 2_000; i++)
        {
            _ = model.Forward(x);
        }

        int positions = GraphArena.Current.Positions;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 100_000; i++)
        {
            _ = model.Forward(x);
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(positions, GraphArena.Current.Positions);
        Assert.True(GradMode.PendingNodes <= (GraphTable.MaxPendingGraphs + 1) * 3, $"{GradMode.PendingNodes} nodes pending");
        Assert.True(after - before < 1 << 20, $"the heap grew by {after - before} bytes over 100,000 forwards");
    }
}
