using System.Globalization;
using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.TestSupport;
using FastLoss.Threading;

namespace FastLoss.Tests.NN;

/// <summary>
/// The seed CNN's training step (forward, CrossEntropyLoss, ZeroGrad, backward, Step) allocates nothing once planned: 0 bytes
/// over 100 steps on the training thread (GC.GetAllocatedBytesForCurrentThread) and in the whole process, the
/// pool's workers included (GC.GetTotalAllocatedBytes(true)), at 1 and 2 threads, and again after a batch-size
/// change has re-planned the layers. The process-wide count is taken in a child process, because the test host
/// allocates in the background.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class TrainingStepAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Seed_cnn_steps_allocate_nothing_after_the_first_and_after_a_batch_size_change(int threads)
    {
        string output = ChildProcessEntry.RunProbe(TrainingStepAllocationProbe.Command, threads.ToString(CultureInfo.InvariantCulture));
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        foreach (string line in lines)
        {
            // "batch=8 steps=100 thread=0 process=0 first=... last=..."
            var fields = line.Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            Assert.True(fields["thread"] == "0", $"threads={threads}: allocations on the training thread: {line}");
            Assert.True(fields["process"] == "0", $"threads={threads}: allocations in the process: {line}");
            Assert.Equal("100", fields["steps"]);
            float first = float.Parse(fields["first"], CultureInfo.InvariantCulture), last = float.Parse(fields["last"], CultureInfo.InvariantCulture);
            Assert.True(float.IsFinite(last) && last < first, $"The loss should fall on a fixed batch: {line}");
        }
    }

    [Fact]
    public void Training_gives_the_same_bits_on_one_and_on_two_threads()
    {
        float[][] Train(int threads)
        {
            using var scope = new ThreadCountScope(threads);
            GradMode.ReleaseThreadResults();
            var trainer = new TrainingStepAllocationProbe.Trainer(Cifar10Cnn.Create(new Generator(3)));
            Tensor images = TestData.Tensor(8, 4, 3, 32, 32);
            IndexTensor targets = TestData.Labels(9, 4);
            for (int i = 0; i < 3; i++)
            {
                trainer.Step(images, targets);
            }

            return trainer.Model.Parameters().Select(p => p.ToArray()).ToArray();
        }

        float[][] one = Train(1), two = Train(2);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
        }
    }
}

/// <summary>The child-process side of <see cref="TrainingStepAllocationTests"/>.</summary>
internal static class TrainingStepAllocationProbe
{
    public const string Command = "training-step-allocations";
    private const int MeasuredSteps = 100;
    private const int WarmUpMilliseconds = 1500;

    public static int Run(string[] args)
    {
        ComputePool.SetThreadCount(int.Parse(args[1], CultureInfo.InvariantCulture));
        var trainer = new Trainer(Cifar10Cnn.Create(new Generator(7)));
        Measure(trainer, TestData.Tensor(1, 8, 3, 32, 32), TestData.Labels(2, 8));
        Measure(trainer, TestData.Tensor(3, 5, 3, 32, 32), TestData.Labels(4, 5));
        return 0;
    }

    private static void Measure(Trainer trainer, Tensor images, IndexTensor targets)
    {
        // The first steps plan the layers, grow the tape, and create gradients and worker scratch. Steps go on for
        // a while longer so that the runtime's background recompilation of hot methods (tiered compilation, which
        // allocates on its own thread) is over before the measurement.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.ElapsedMilliseconds < WarmUpMilliseconds; i++)
        {
            trainer.Step(images, targets);
        }

        long threadBefore = GC.GetAllocatedBytesForCurrentThread();
        long processBefore = GC.GetTotalAllocatedBytes(precise: true);
        float first = trainer.Step(images, targets), last = first;
        for (int i = 1; i < MeasuredSteps; i++)
        {
            last = trainer.Step(images, targets);
        }

        long processBytes = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        long threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"batch={images.Shape[0]} steps={MeasuredSteps} thread={threadBytes} process={processBytes} first={first:R} last={last:R}"));
    }

    internal sealed class Trainer(Sequential model)
    {
        private readonly SGD _optimizer = new(model.Parameters(), lr: 0.01f);
        private readonly CrossEntropyLoss _loss = new();

        public Sequential Model => model;

        public float Step(Tensor images, IndexTensor targets)
        {
            Tensor outputs = model.Forward(images);
            Tensor loss = _loss.Forward(outputs, targets);
            model.ZeroGrad(); // torch's model.zero_grad(), as some programs write it; the optimizer's follows.
            _optimizer.ZeroGrad();
            loss.Backward();
            _optimizer.Step();
            return loss.Item();
        }
    }
}
