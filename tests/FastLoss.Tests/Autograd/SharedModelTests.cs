using System.Collections.Concurrent;
using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.TestSupport;
using FastLoss.Threading;

namespace FastLoss.Tests.Autograd;

/// <summary>
/// One model serving inference on several threads at once, as an ASP.NET service does: every output bit-identical to a
/// serial run, nothing allocated per call once a thread has warmed up, and the weights' derived forms (packed GEMM
/// panels, Winograd transforms) rebuilt when the weights change through SGD.Step, LoadStateDict or the public API.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class SharedModelTests
{
    private const int Threads = 4;
    private const int CallsPerThread = 1_000;

    [Fact]
    public void Four_threads_on_one_model_give_the_serial_results_bit_for_bit_and_allocate_nothing_per_call()
    {
        using var scope = new ThreadCountScope(2);
        Sequential model = Cifar10Cnn.Create(new Generator(11));
        const int distinctInputs = 8;
        var inputs = new Tensor[distinctInputs];
        var expected = new float[distinctInputs][];
        using (GradMode.NoGrad())
        {
            for (int i = 0; i < distinctInputs; i++)
            {
                inputs[i] = TestData.Tensor(100 + i, 1, 3, 32, 32);
                expected[i] = model.Forward(inputs[i]).ToArray();
            }
        }

        var mismatches = new ConcurrentBag<string>();
        var allocations = new long[Threads];
        var start = new Barrier(Threads);
        var workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                using (GradMode.NoGrad())
                {
                    // Warm-up: the thread plans its call positions.
                    for (int i = 0; i < 25 * distinctInputs; i++)
                    {
                        _ = model.Forward(inputs[i % distinctInputs]);
                    }

                    start.SignalAndWait();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int call = 0; call < CallsPerThread; call++)
                    {
                        int which = (call + thread) % distinctInputs;
                        Tensor output = model.Forward(inputs[which]);
                        if (!output.Values.SequenceEqual(expected[which]))
                        {
                            mismatches.Add($"thread {thread}, call {call}, input {which}");
                        }
                    }

                    allocations[thread] = GC.GetAllocatedBytesForCurrentThread() - before;
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} of {Threads * CallsPerThread} outputs differ from the serial run, e.g. {mismatches.FirstOrDefault()}");
        Assert.All(allocations, bytes => Assert.Equal(0, bytes));
    }

    [Fact]
    public void Weight_changes_through_the_public_api_reach_the_next_call()
    {
        using var scope = new ThreadCountScope(1);
        Sequential model = Cifar10Cnn.Create(new Generator(12));
        Sequential twin = Cifar10Cnn.Create(new Generator(13));
        Tensor images = TestData.Tensor(1, 2, 3, 32, 32);

        // Warm both: their derived weight forms are built from their own weights.
        using (GradMode.NoGrad())
        {
            _ = model.Forward(images);
            _ = twin.Forward(images);
        }

        // LoadStateDict copies twin's weights into model's existing tensors.
        model.LoadStateDict(twin.StateDict());
        AssertSameOutputs(twin, model, images, "after LoadStateDict");

        // A write through Span, then through the indexer.
        var conv = (Conv2d)model[2];
        conv.Weight.Span[0] += 0.5f;
        ((Conv2d)twin[2]).Weight.Span[0] += 0.5f;
        AssertSameOutputs(twin, model, images, "after a write through Span");
        conv.Weight[1, 2, 3, 4] = -0.25f;
        ((Conv2d)twin[2]).Weight[1, 2, 3, 4] = -0.25f;
        AssertSameOutputs(twin, model, images, "after a write through the indexer");

        // An optimizer step on one model, the same update copied into the other.
        var loss = new CrossEntropyLoss();
        var optimizer = new SGD(model.Parameters(), lr: 0.1f);
        loss.Forward(model.Forward(images), TestData.Labels(3, 2)).Backward();
        int version = conv.Weight.Version;
        optimizer.Step();
        Assert.True(conv.Weight.Version > version);
        twin.LoadStateDict(model.StateDict());
        AssertSameOutputs(model, twin, images, "after SGD.Step");
    }

    [Fact]
    public void Two_threads_training_their_own_models_do_not_disturb_each_other()
    {
        float[][] Train()
        {
            var model = Cifar10Cnn.Create(new Generator(21));
            var optimizer = new SGD(model.Parameters(), lr: 0.01f);
            var loss = new CrossEntropyLoss();
            Tensor images = TestData.Tensor(5, 3, 3, 32, 32);
            IndexTensor labels = TestData.Labels(6, 3);
            for (int step = 0; step < 4; step++)
            {
                Tensor value = loss.Forward(model.Forward(images), labels);
                optimizer.ZeroGrad();
                value.Backward();
                optimizer.Step();
            }

            return model.Parameters().Select(p => p.ToArray()).ToArray();
        }

        using var scope = new ThreadCountScope(2);
        float[][] serial = Train();
        float[][]? first = null, second = null;
        var a = new Thread(() => first = Train());
        var b = new Thread(() => second = Train());
        a.Start();
        b.Start();
        a.Join();
        b.Join();
        for (int i = 0; i < serial.Length; i++)
        {
            Assert.Equal(serial[i], first![i]);
            Assert.Equal(serial[i], second![i]);
        }
    }

    private static void AssertSameOutputs(Module expected, Module actual, Tensor input, string what)
    {
        using (GradMode.NoGrad())
        {
            float[] reference = expected.Forward(input).ToArray();
            Assert.True(reference.AsSpan().SequenceEqual(actual.Forward(input).Values), what);
        }
    }
}
