using FastLoss.Cli.Reporting;
using FastLoss.Cli.Tests.Support;
using FastLoss.Cli.Training;
using Spectre.Console;

namespace FastLoss.Cli.Tests.Training;

/// <summary>
/// After the first batch has planned the layers, a training batch allocates nothing on the training thread: the
/// command's loop (data, forward, loss, backward, SGD, TensorBoard scalar, progress) adds nothing per batch, with
/// plain output and with the live progress bar. Measured with GC.GetAllocatedBytesForCurrentThread between the
/// progress callbacks of consecutive batches (0 bytes exactly), over two epochs of 10 batches.
/// </summary>
[Collection(TrainingRuns.Name)]
public sealed class TrainingLoopAllocationTests : IDisposable
{
    private const int Batches = 10;
    private readonly string _out = TestPaths.NewScratchFolder();

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Batches_after_the_first_allocate_nothing(bool live)
    {
        using var screen = new StringWriter();
        ITrainingReporter inner = live
            ? new LiveTrainingReporter(AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(screen),
                Ansi = AnsiSupport.Yes,
                Interactive = InteractionSupport.Yes,
            }))
            : new PlainTrainingReporter(screen);
        var reporter = new MeasuringReporter(inner, capacity: 2 * Batches);
        var settings = new TrainingSettings
        {
            DataRoot = TestPaths.Cifar10Root,
            Download = false,
            Epochs = 2,
            Momentum = 0.9f,
            LimitTrain = Batches * 64,
            LimitTest = 100,
            LogInterval = 4,
            OutputFolder = _out,
        };

        TrainingResult result = new TrainingRun(settings, reporter).Execute(CancellationToken.None);

        Assert.Equal(2 * Batches, reporter.Count);
        Assert.Equal(2 * Batches, result.State.Step);
        for (int i = 0; i < reporter.Count; i++)
        {
            BatchMark mark = reporter.Marks[i];
            // Batch 1 of epoch 1 plans the network; batch 1 of each epoch also follows the evaluation and checkpoint.
            if (mark.Batch > 1)
            {
                long loop = mark.Before - reporter.Marks[i - 1].After;
                Assert.True(loop == 0, $"epoch {mark.Epoch} batch {mark.Batch}: the training loop allocated {loop} bytes");
            }

            // Plain output formats a line at report points (every 4 batches and the last); nothing in between.
            if (live || !mark.ReportPoint)
            {
                long reporting = mark.After - mark.Before;
                Assert.True(reporting == 0, $"epoch {mark.Epoch} batch {mark.Batch}: reporting the batch allocated {reporting} bytes");
            }
        }
    }

    private readonly record struct BatchMark(int Epoch, int Batch, bool ReportPoint, long Before, long After);

    /// <summary>Passes everything to the real reporter and notes the thread's allocated bytes around each batch report.</summary>
    private sealed class MeasuringReporter(ITrainingReporter inner, int capacity) : ITrainingReporter
    {
        public BatchMark[] Marks { get; } = new BatchMark[capacity];

        public int Count { get; private set; }

        public T Run<T>(Func<T> training) => inner.Run(training);

        public void RunStarted(RunDescription description) => inner.RunStarted(description);

        public void EpochStarted(int epoch, int epochs, int batches, int firstBatch) => inner.EpochStarted(epoch, epochs, batches, firstBatch);

        public void BatchCompleted(in BatchProgress progress)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            inner.BatchCompleted(in progress);
            long after = GC.GetAllocatedBytesForCurrentThread();
            if (Count < Marks.Length)
            {
                Marks[Count++] = new BatchMark(progress.Epoch, progress.Batch, progress.IsReportPoint, before, after);
            }
        }

        public void Evaluating(int epoch, int images) => inner.Evaluating(epoch, images);

        public void EpochCompleted(EpochSummary summary) => inner.EpochCompleted(summary);

        public void Note(string message) => inner.Note(message);

        public void RunCompleted(IReadOnlyList<EpochSummary> epochs, EvaluationResult? finalTest, IReadOnlyList<string> classNames) =>
            inner.RunCompleted(epochs, finalTest, classNames);
    }
}
