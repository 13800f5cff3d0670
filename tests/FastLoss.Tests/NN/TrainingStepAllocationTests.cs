using System.Globalization;
using FastLoss.Autograd;
using FastLoss.NN;
using FastLoss.Optim;
using FastLoss.Tests.TestSupport;
using FastLoss.Threading;

namespace FastLoss.Tests.NN;

/// <summary>
/// Training steps (forward, loss, ZeroGrad, backward, Step) allocate nothing once planned: 0 bytes over 100 steps on the
/// training thread (GC.GetAllocatedBytesForCurrentThread) and in the whole process, the pool's workers included
/// (GC.GetTotalAllocatedBytes(true)), at 1 and 2 threads. Measured for the seed CNN, again after a batch-size change
/// has re-planned it, again after going back to the first batch size (no new plan), with a forward pass looked at and
/// not backpropagated before each step; for the second seed's MLP with its one Sigmoid applied three times; and for
/// a network that applies one Linear twice. The process-wide count is taken in a child process, because the test
/// host allocates in the background.
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
        Assert.Equal(TrainingStepAllocationProbe.Cases, lines.Length);
        foreach (string line in lines)
        {
            // "case=cnn-8 steps=100 thread=0 process=0 first=... last=..."
            var fields = line.Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            Assert.True(fields["thread"] == "0", $"threads={threads}: allocations on the training thread: {line}");
            Assert.True(fields["process"] == "0", $"threads={threads}: allocations in the process: {line}");
            Assert.Equal("100", fields["steps"]);
            float first = float.Parse(fields["first"], CultureInfo.InvariantCulture), last = float.Parse(fields["last"], CultureInfo.InvariantCulture);
            // Each case trains. The small models (the MLP, the Linear applied twice) may have converged to float
            // precision by the end of the warm-up (whose length is timed, and a measurement window in which the
            // runtime compiled a method is measured again): their loss stays within a few ulps of where it was.
            bool converged = !fields["case"].StartsWith("cnn", StringComparison.Ordinal);
            bool trained = converged ? last <= first * (1 + 1e-6f) : last < first;
            Assert.True(float.IsFinite(last) && trained, $"The loss should fall on a fixed batch: {line}");
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

    /// <summary>The lines the probe prints, one per case.</summary>
    public const int Cases = 6;

    public static int Run(string[] args)
    {
        ComputePool.SetThreadCount(int.Parse(args[1], CultureInfo.InvariantCulture));
        var trainer = new Trainer(Cifar10Cnn.Create(new Generator(7)));
        Tensor eight = TestData.Tensor(1, 8, 3, 32, 32), five = TestData.Tensor(3, 5, 3, 32, 32);
        IndexTensor eightLabels = TestData.Labels(2, 8), fiveLabels = TestData.Labels(4, 5);
        Measure("cnn-8", () => trainer.Step(eight, eightLabels));
        Measure("cnn-5", () => trainer.Step(five, fiveLabels), warmUpMilliseconds: WarmUpMilliseconds);

        // Back to batch 8: its plans are kept, so not even the first step allocates.
        Measure("cnn-8-again", () => trainer.Step(eight, eightLabels), warmUpMilliseconds: 0, warmUpSteps: 0);

        // A look at the outputs before each step: the unreached graph is released by the backward pass.
        Measure("cnn-8-after-a-look", () =>
        {
            _ = trainer.Model.Forward(eight);
            return trainer.Step(eight, eightLabels);
        });

        var mlp = new SeedMlp(new Generator(666));
        var mlpOptimizer = new SGD(mlp.Parameters(), lr: 0.1f);
        var mse = new MSELoss();
        Tensor x = TestData.Tensor(5, 100, 4), y = Tensor.FromValues(TestData.Uniform(100, 6), 100, 1);
        Measure("mlp-one-sigmoid", () => Step(mlp, mlpOptimizer, mse, x, y));

        var twice = new LinearTwice();
        var twiceOptimizer = new SGD(twice.Parameters(), lr: 0.05f);
        Tensor input = TestData.Tensor(7, 16, 8), target = TestData.Tensor(8, 16, 8);
        Measure("linear-twice", () => Step(twice, twiceOptimizer, mse, input, target));
        return 0;
    }

    private static float Step(Module model, SGD optimizer, MSELoss criterion, Tensor x, Tensor y)
    {
        Tensor loss = criterion.Forward(model.Forward(x), y);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return loss.Item();
    }

    private static void Measure(string name, Func<float> step, int warmUpMilliseconds = WarmUpMilliseconds, int warmUpSteps = 3)
    {
        // The first steps plan the layers and create gradients and worker scratch. Steps go on for a while longer
        // so that the runtime's background recompilation of hot methods (tiered compilation, which allocates on
        // its own thread) is over before the measurement.
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < warmUpSteps || warmUp.ElapsedMilliseconds < warmUpMilliseconds; i++)
        {
            step();
        }

        // Then on until the runtime has compiled no method for half a second (its background compilations allocate).
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (warmUpMilliseconds > 0 && quiet.ElapsedMilliseconds < 500 && warmUp.ElapsedMilliseconds < 20_000)
        {
            step();
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                quiet.Restart();
            }
        }

        // A window in which the runtime still compiled a method (late tiering on a loaded machine allocates on the
        // runtime's own thread) does not measure FastLoss: it is measured again, up to a few times.
        long threadBytes, processBytes;
        float first, last;
        int attempts = 0;
        do
        {
            long compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            long threadBefore = GC.GetAllocatedBytesForCurrentThread();
            long processBefore = GC.GetTotalAllocatedBytes(precise: true);
            first = step();
            last = first;
            for (int i = 1; i < MeasuredSteps; i++)
            {
                last = step();
            }

            processBytes = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
            threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore;
        }
        while (compiled != 0 && processBytes != 0 && ++attempts < 5);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"case={name} steps={MeasuredSteps} thread={threadBytes} process={processBytes} first={first:R} last={last:R}"));
    }

    /// <summary>y = W2 relu(W1 relu(W1 x)): one Linear applied twice (weight sharing) in one forward pass.</summary>
    private sealed class LinearTwice : Module
    {
        private readonly Linear _shared;
        private readonly Linear _head;
        private readonly ReLU _relu;

        public LinearTwice()
        {
            _shared = Register("shared", new Linear(8, 8, generator: new Generator(3)));
            _head = Register("head", new Linear(8, 8, generator: new Generator(4)));
            _relu = Register("relu", new ReLU());
        }

        protected override Tensor ForwardCore(Tensor input) =>
            _head.Forward(_relu.Forward(_shared.Forward(_relu.Forward(_shared.Forward(input)))));
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
