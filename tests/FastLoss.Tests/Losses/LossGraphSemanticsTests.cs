using System.Collections.Concurrent;
using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Tests.TestSupport;

namespace FastLoss.Tests.Losses;

/// <summary>
/// torch's graph semantics for each loss module beyond the single op, written as users write them: one module
/// called twice in one graph (both calls' gradients add), a forward that is never backpropagated (it changes no
/// gradient and does not disturb the next step), and one module shared by four threads (every thread gets the
/// serial results bit for bit).
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class LossGraphSemanticsTests
{
    private const int Threads = 4;
    private const int StepsPerThread = 200;

    public LossGraphSemanticsTests() => GradMode.ReleaseThreadResults();

    public static TheoryData<string> Losses => [.. LossCall.All.Keys];

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_module_called_twice_in_one_graph_gets_both_calls_gradients(string name)
    {
        LossCall call = LossCall.All[name];
        Func<Tensor[], Tensor> module = call.NewModule();
        (float once, float[][] onceGrads) = Step(module, call, twice: false);
        (float total, float[][] grads) = Step(module, call, twice: true);

        // Each call computes the same gradient; the first reaching a leaf is written, the second added: g + g = 2g exactly.
        Assert.Equal(once + once, total);
        for (int i = 0; i < grads.Length; i++)
        {
            Assert.Equal(Doubled(onceGrads[i]), grads[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_forward_that_is_not_backpropagated_changes_no_gradient_and_leaves_the_next_step_as_it_was(string name)
    {
        LossCall call = LossCall.All[name];
        Func<Tensor[], Tensor> module = call.NewModule();
        (float expected, float[][] expectedGrads) = Step(module, call, twice: false);

        Tensor[] abandoned = call.Leaves();
        Tensor dropped = module(abandoned);
        Assert.True(dropped.RequiresGrad);
        (float value, float[][] grads) = Step(module, call, twice: false);

        Assert.All(abandoned, leaf => Assert.Null(leaf.Grad));
        Assert.Equal(expected, value);
        Assert.Equal(expectedGrads, grads);
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void One_module_shared_by_four_threads_gives_the_serial_results_bit_for_bit(string name)
    {
        LossCall call = LossCall.All[name];
        Func<Tensor[], Tensor> module = call.NewModule();
        (float expected, float[][] expectedGrads) = Step(module, call, twice: false);

        var mismatches = new ConcurrentBag<string>();
        var start = new Barrier(Threads);
        var workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int step = 0; step < StepsPerThread; step++)
                {
                    (float value, float[][] grads) = Step(module, call, twice: step % 3 == 0);
                    float factor = step % 3 == 0 ? 2f : 1f;
                    bool same = value == expected * factor;
                    for (int i = 0; i < grads.Length && same; i++)
                    {
                        same = grads[i].SequenceEqual(factor == 2f ? Doubled(expectedGrads[i]) : expectedGrads[i]);
                    }

                    if (!same)
                    {
                        mismatches.Add($"thread {thread}, step {step}");
                    }
                }

                GradMode.ReleaseThreadResults();
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} of {Threads * StepsPerThread} steps differ from the serial run, e.g. {mismatches.FirstOrDefault()}");
    }

    /// <summary>Fresh leaves, the loss (called once or twice and summed), backward; the value and every leaf's gradient.</summary>
    private static (float Value, float[][] Grads) Step(Func<Tensor[], Tensor> module, LossCall call, bool twice)
    {
        Tensor[] leaves = call.Leaves();
        Tensor loss = twice ? module(leaves) + module(leaves) : module(leaves);
        loss.Backward();
        return (loss.Item(), [.. leaves.Select(leaf => leaf.Grad!.ToArray())]);
    }

    private static float[] Doubled(float[] values) => [.. values.Select(v => v + v)];

    /// <summary>A loss module as a user calls it: its differentiable inputs as fresh leaves, its other arguments fixed.</summary>
    private sealed record LossCall(Func<Func<Tensor[], Tensor>> NewModule, int[][] Shapes, float[][] Values)
    {
        public static readonly IReadOnlyDictionary<string, LossCall> All = Build();

        public Tensor[] Leaves()
        {
            var leaves = new Tensor[Shapes.Length];
            for (int i = 0; i < leaves.Length; i++)
            {
                leaves[i] = Tensor.FromValues(Values[i], Shapes[i]);
                leaves[i].RequiresGrad = true;
            }

            return leaves;
        }

        private static LossCall Of(Func<Func<Tensor[], Tensor>> module, params (int[] Shape, float[] Values)[] inputs) =>
            new(module, [.. inputs.Select(i => i.Shape)], [.. inputs.Select(i => i.Values)]);

        private static (int[], float[]) Uniform(int seed, params int[] shape) => (shape, TestData.Uniform(shape.Aggregate(1, (a, b) => a * b), seed));

        private static (int[], float[]) Positive(int seed, params int[] shape) =>
            (shape, [.. TestData.Uniform(shape.Aggregate(1, (a, b) => a * b), seed).Select(v => 0.1f + Math.Abs(v))]);

        private static Dictionary<string, LossCall> Build()
        {
            Tensor signs = Tensor.FromValues([1f, -1f, 1f, -1f], 4);
            Tensor signs20 = Tensor.FromValues([.. Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? -1f : 1f)], 4, 5);
            Tensor labels = Tensor.FromValues([.. Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? 1f : 0f)], 4, 5);
            IndexTensor classes = IndexTensor.FromValues([0, 4, 2, 1], 4);
            IndexTensor multiLabels = IndexTensor.FromValues([3, 0, -1, 0, 0, 1, 2, 4, -1, 0, 4, -1, 0, 0, 0, 0, 1, 2, 3, 4], 4, 5);
            IndexTensor ctcTargets = IndexTensor.FromValues([1, 2, 2, 3, 1, 0], 2, 3);
            IndexTensor inputLengths = IndexTensor.FromValues([6, 5], 2);
            IndexTensor targetLengths = IndexTensor.FromValues([3, 2], 2);
            return new(StringComparer.Ordinal)
            {
                ["KLDivLoss"] = Of(() => { var m = new KLDivLoss(Reduction.BatchMean); return x => m.Forward(x[0], x[1]); }, Uniform(1, 4, 5), Positive(2, 4, 5)),
                ["PoissonNLLLoss"] = Of(() => { var m = new PoissonNLLLoss(full: true); return x => m.Forward(x[0], x[1]); }, Uniform(3, 4, 5), Positive(4, 4, 5)),
                ["SoftMarginLoss"] = Of(() => { var m = new SoftMarginLoss(); return x => m.Forward(x[0], signs); }, Uniform(5, 4)),
                ["HingeEmbeddingLoss"] = Of(() => { var m = new HingeEmbeddingLoss(0.5f); return x => m.Forward(x[0], signs); }, Uniform(6, 4)),
                ["MultiLabelSoftMarginLoss"] = Of(() => { var m = new MultiLabelSoftMarginLoss(); return x => m.Forward(x[0], labels); }, Uniform(7, 4, 5)),
                ["MarginRankingLoss"] = Of(() => { var m = new MarginRankingLoss(0.25f); return x => m.Forward(x[0], x[1], signs); }, Uniform(8, 4), Uniform(9, 4)),
                ["GaussianNLLLoss"] = Of(() => { var m = new GaussianNLLLoss(full: true); return x => m.Forward(x[0], x[1], x[2]); }, Uniform(10, 4, 5), Uniform(11, 4, 5), Positive(12, 4, 5)),
                ["CosineEmbeddingLoss"] = Of(() => { var m = new CosineEmbeddingLoss(0.1f); return x => m.Forward(x[0], x[1], signs); }, Uniform(13, 4, 5), Uniform(14, 4, 5)),
                ["TripletMarginLoss"] = Of(() => { var m = new TripletMarginLoss(); return x => m.Forward(x[0], x[1], x[2]); }, Uniform(15, 4, 5), Uniform(16, 4, 5), Uniform(17, 4, 5)),
                ["TripletMarginLoss p=1 swap"] = Of(() => { var m = new TripletMarginLoss(p: 1f, swap: true); return x => m.Forward(x[0], x[1], x[2]); }, Uniform(18, 4, 5), Uniform(19, 4, 5), Uniform(20, 4, 5)),
                ["TripletMarginWithDistanceLoss"] = Of(() => { var m = new TripletMarginWithDistanceLoss(); return x => m.Forward(x[0], x[1], x[2]); }, Uniform(21, 4, 5), Uniform(22, 4, 5), Uniform(23, 4, 5)),
                ["TripletMarginWithDistanceLoss own distance"] = Of(
                    () => { var m = new TripletMarginWithDistanceLoss((u, v) => ((u - v) * (u - v)).Sum(), swap: true); return x => m.Forward(x[0], x[1], x[2]); },
                    Uniform(24, 5), Uniform(25, 5), Uniform(26, 5)),
                ["MultiMarginLoss"] = Of(() => { var m = new MultiMarginLoss(p: 2f, margin: 0.75f); return x => m.Forward(x[0], classes); }, Uniform(27, 4, 5)),
                ["MultiLabelMarginLoss"] = Of(() => { var m = new MultiLabelMarginLoss(); return x => m.Forward(x[0], multiLabels); }, Uniform(28, 4, 5)),
                ["CTCLoss"] = Of(() => { var m = new CTCLoss(); return x => m.Forward(x[0], ctcTargets, inputLengths, targetLengths); }, Uniform(29, 6, 2, 4)),
                ["SoftMarginLoss sum over rows"] = Of(() => { var m = new SoftMarginLoss(Reduction.Sum); return x => m.Forward(x[0], signs20); }, Uniform(30, 4, 5)),
            };
        }
    }
}
